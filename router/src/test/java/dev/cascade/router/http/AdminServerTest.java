package dev.cascade.router.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The admin server over loopback HTTP: probes are answered whatever the other endpoints are doing. */
class AdminServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpRequest get(AdminServer admin, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                .timeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void shouldAnswerHealthWhileMetricsScrapesHang() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger scrapesStarted = new AtomicInteger();
        try (AdminServer admin = AdminServer.start(0, () -> new AdminServer.Health(true, "{\"state\":\"RUNNING\"}"),
                () -> new AdminServer.Health(true, "{}"), () -> {
                    scrapesStarted.incrementAndGet();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "# metrics\n";
                })) {
            List<CompletableFuture<HttpResponse<String>>> scrapes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                scrapes.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port()
                        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()));
            }
            Awaitility.await("a scrape is hanging").atMost(Duration.ofSeconds(10))
                    .until(() -> scrapesStarted.get() >= 1);
            for (String probe : List.of("/health/live", "/health/ready")) {
                HttpResponse<String> r = http.send(get(admin, probe), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(probe).isEqualTo(200);
            }
            assertThat(http.send(get(admin, "/health/live"), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("RUNNING");
            release.countDown();
            for (CompletableFuture<HttpResponse<String>> s : scrapes) {
                HttpResponse<String> r = s.get(10, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isIn(200, 503);
            }
            assertThat(scrapes).anySatisfy(s -> assertThat(s.join().body()).isEqualTo("# metrics\n"));
        }
    }

    @Test
    void shouldRefuseScrapesBeyondTheWaitingRoomAtOnceAndListenWhereTold() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (AdminServer admin = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                () -> new AdminServer.Health(true, "{}"), () -> new AdminServer.Health(true, "{}"), () -> {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "";
                })) {
            assertThat(admin.address().getAddress().isLoopbackAddress()).isTrue();
            List<CompletableFuture<HttpResponse<String>>> scrapes = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                scrapes.add(http.sendAsync(get(admin, "/metrics"), HttpResponse.BodyHandlers.ofString()));
            }
            Awaitility.await("scrapes past the waiting room refused at once").atMost(Duration.ofSeconds(5))
                    .until(() -> scrapes.stream().filter(s -> s.isDone() && s.join().statusCode() == 503).count()
                            >= 12 - 1 - 4);
            assertThat(http.send(get(admin, "/health/live"), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
            release.countDown();
        }
    }
}
