package dev.cascade.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The compose stack really starts (only where a Docker engine exists; skipped elsewhere): router and ledger become
 * ready and the ledger serves its summary.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeSmokeTest {
    private static final Path HOME = Path.of(System.getProperty("cascade.home", "../..")).toAbsolutePath().normalize();

    @Container
    static final ComposeContainer STACK = new ComposeContainer(
            new File(HOME.resolve("deploy/compose/docker-compose.yml").toString()))
            .withEnv("COMPOSE_PROFILES", "simulator")
            .withBuild(true)
            .withExposedService("router", 8081, Wait.forHttp("/health/ready").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(10)))
            .withExposedService("ledger", 8082, Wait.forHttp("/health/ready").forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(10)));

    @Test
    void shouldStartRouterAndLedgerAndServeTheSummary() throws Exception {
        String host = STACK.getServiceHost("ledger", 8082);
        int port = STACK.getServicePort("ledger", 8082);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://" + host + ":" + port + "/api/summary")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("attempts_cost_usd");
    }
}
