package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Ten times more queries than the tiers can serve, for a bounded time (60 s here; {@code -Dcascade.overload.seconds}
 * for longer), against the router as its own JVM: every query gets exactly one answer, ANSWERED or FAILED
 * {@code overloaded}; the queries the router holds never exceed what its tiers may hold (calls plus waiting places),
 * and its resident memory stays flat.
 */
class OverloadIntegrationTest {
    private static final List<String> TIERS = List.of("small", "medium", "large", "general");
    private static final int MAX_IN_FLIGHT = 1;
    private static final int MAX_WAITING = 10;
    private static final int LATENCY_MS = 200;

    /** One sample of the router process. */
    private record Sample(long atMs, long rss, double held) {
    }

    @Test
    void shouldAnswerEveryQueryOrFailItAsOverloadedWithFlatMemoryUnderATenfoldOverload() throws Exception {
        int seconds = Integer.getInteger("cascade.overload.seconds", 60);
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            for (String t : TIERS) {
                h.tier(t).put("max_in_flight", MAX_IN_FLIGHT);
                h.tier(t).put("max_waiting", MAX_WAITING);
                h.simulator.update(t + "-model", Map.of("latency_ms", LATENCY_MS));
            }
            double capacity = TIERS.size() * MAX_IN_FLIGHT * 1000.0 / LATENCY_MS; // queries per second, all tiers
            int rate = (int) (10 * capacity);
            int n = rate * seconds;
            Path dir = TestKafka.testDir().resolve("overload-" + h.appId);
            try (RouterProcess router = RouterProcess.start(h.doc, dir, "router");
                 KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, h.broker.bootstrapServers(),
                         ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new StringSerializer())) {
                Awaitility.await("router admin port").atMost(Duration.ofSeconds(60)).until(() -> router.adminPort() > 0);
                List<Sample> samples = new ArrayList<>();
                AtomicReference<Throwable> sendFailure = new AtomicReference<>();
                long start = System.nanoTime();
                long nextSample = 0;
                for (int i = 0; i < n; i++) {
                    long due = start + i * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing the producer
                    }
                    String id = "o-" + i;
                    producer.send(new ProducerRecord<>(h.topics.queries(), id, "{\"id\":\"" + id
                            + "\",\"prompt\":\"overload " + i + "\"}"), (m, e) -> {
                                if (e != null) {
                                    sendFailure.set(e);
                                }
                            });
                    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                    if (elapsedMs >= nextSample) {
                        samples.add(sample(router, elapsedMs));
                        nextSample = elapsedMs + 2_000;
                    }
                }
                producer.flush();
                assertThat(sendFailure.get()).isNull();
                long sentMs = (System.nanoTime() - start) / 1_000_000;

                List<ConsumerRecord<byte[], byte[]>> answers = h.io.readUntil(h.topics.answers(), rs -> rs.size() >= n,
                        Duration.ofSeconds(120), Duration.ofSeconds(2));
                long drainedMs = (System.nanoTime() - start) / 1_000_000;
                samples.add(sample(router, drainedMs));

                Map<String, Long> perId = answers.stream().collect(Collectors.groupingBy(
                        r -> json(r).path("id").asText(), Collectors.counting()));
                // calls plus waiting places, plus the one query a scrape may catch between admission and its answer
                double bound = TIERS.size() * (MAX_IN_FLIGHT + MAX_WAITING) + 1;
                Map<String, Long> byKind = answers.stream().map(RouterHarness::json).collect(Collectors.groupingBy(
                        OverloadIntegrationTest::kind, Collectors.counting()));
                List<Sample> steady = samples.stream().filter(s -> s.atMs() >= sentMs / 5).toList();
                List<Sample> early = steady.subList(0, steady.size() / 2);
                List<Sample> late = steady.subList(steady.size() / 2, steady.size());
                long rssEarly = early.stream().mapToLong(Sample::rss).max().orElseThrow();
                long rssLate = late.stream().mapToLong(Sample::rss).max().orElseThrow();
                System.out.printf("overload x10 for %d s: %d queries at %d/s against %.0f/s of capacity: %s; drained "
                                + "%d ms after the last send; held at most %.0f (bound %.0f); resident memory max "
                                + "%d MiB in the first half, %d MiB in the second; samples (s:RSS MiB): %s%n", seconds, n,
                        rate, capacity, byKind, drainedMs - sentMs,
                        samples.stream().mapToDouble(Sample::held).max().orElseThrow(), bound,
                        rssEarly >> 20, rssLate >> 20,
                        samples.stream().map(s -> s.atMs() / 1000 + ":" + (s.rss() >> 20)).toList());
                assertThat(perId).as("every query answered; router said:%n%s", tail(router)).hasSize(n);
                assertThat(perId.values()).as("none answered twice").containsOnly(1L);
                assertThat(byKind.keySet()).as("answered, or failed as overloaded: %s", byKind)
                        .containsExactlyInAnyOrder("ANSWERED", "overloaded");
                assertThat(byKind.get("ANSWERED")).as("the tiers kept serving")
                        .isGreaterThan((long) (capacity * seconds / 4));

                assertThat(samples).as("queries held by the router").allSatisfy(s ->
                        assertThat(s.held()).isLessThanOrEqualTo(bound));
                assertThat(rssLate).as("resident memory, second half against first half")
                        .isLessThanOrEqualTo(rssEarly + Math.max(rssEarly / 10, 32L << 20));
                assertThat(router.isAlive()).isTrue();
            }
        }
    }

    private static String kind(JsonNode answer) {
        if (answer.path("status").asText().equals("ANSWERED")) {
            return "ANSWERED";
        }
        String error = answer.path("error").asText();
        return error.startsWith("overloaded: ") ? "overloaded" : error;
    }

    private static Sample sample(RouterProcess router, long atMs) throws IOException, InterruptedException {
        Map<String, Double> m = scrape(router.adminPort());
        return new Sample(atMs, router.residentBytes(), m.getOrDefault("router_queries_in_flight", 0.0));
    }

    /** The router's /metrics, summed by metric name (labels dropped). */
    private static Map<String, Double> scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return r.body().lines().filter(l -> l.startsWith("router_queries_in_flight"))
                .collect(Collectors.toMap(l -> l.split("[{ ]", 2)[0],
                        l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)), Double::sum));
    }

    private static String tail(RouterProcess router) {
        String out = router.output();
        return out.length() > 4000 ? out.substring(out.length() - 4000) : out;
    }
}
