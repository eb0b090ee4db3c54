package dev.cascade.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.router.tier.HostileModelServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Model API keys come only from the environment or files and never leave the router except towards their tier, with
 * the router as its own process logging at INFO. One tier fails with a key of its own, on a server whose error body
 * echoes the request's {@code Authorization} header and the bare key, and is also called as a shadow; the keys are
 * looked for in the router's log, on every topic it writes (shadow and changelog topics included, values, keys and
 * headers, aborted transactions too) and on every admin endpoint. A {@code base_url} carrying credentials stops the
 * router at start without showing them.
 */
class SecretRedactionIntegrationTest {

    @Test
    void shouldNeverShowKeysInLogsTopicsOrAdminEndpointsEvenWhenATierEchoesThem() throws Exception {
        String smallKey = "sk-echoed-" + UUID.randomUUID();
        String envKey = "sk-planted-" + UUID.randomUUID();
        String fileKey = "sk-file-" + UUID.randomUUID();
        try (HostileModelServer echo = HostileModelServer.start(HostileModelServer.echoHeadersError());
             RouterHarness h = new RouterHarness(doc -> { })) {
            Path dir = TestKafka.testDir().resolve("secrets-" + h.appId);
            Files.createDirectories(dir);
            Path keyFile = dir.resolve("medium.key");
            Files.writeString(keyFile, fileKey + "\n");
            h.tier("small").put("base_url", echo.baseUrl());
            h.tier("small").put("api_key_env", "PLANTED_SMALL_KEY");
            h.tier("general").put("api_key_env", "PLANTED_GENERAL_KEY");
            h.tier("medium").put("api_key_file", keyFile.toString());
            // a sampled route: medium answers, then the echoing tier and the general one are called as shadows
            h.routes().put("sampled", Map.of("shadow_rate", 1.0, "tiers", List.of(
                    Map.of("name", "medium", "threshold", 0.0), Map.of("name", "small", "threshold", 0.5),
                    Map.of("name", "general"))));
            int adminPort = dev.cascade.kafka.EmbeddedKafkaBroker.freePort();
            @SuppressWarnings("unchecked")
            Map<String, Object> router = (Map<String, Object>) h.doc.get("router");
            router.put("admin_port", adminPort);
            h.simulator.update("medium-model", Map.of("confidence_correct", 0.1, "confidence_wrong", 0.1));
            h.simulator.update("large-model", Map.of("confidence_correct", 0.1, "confidence_wrong", 0.1));
            try (RouterProcess p = RouterProcess.start(h.doc, dir, "router", Map.of("PLANTED_SMALL_KEY", smallKey,
                    "PLANTED_GENERAL_KEY", envKey), "info")) {
                for (int i = 0; i < 10; i++) {
                    h.query("s-" + i, null, "secret probe " + i);
                    h.query("sampled-" + i, "sampled", "secret probe " + i);
                }
                h.io.send(h.topics.queries(), "bad", "{\"id\":\"bad\",\"prompt\":\"hi\",\"x\":1}");
                assertThat(h.answers(20)).hasSize(20);
                assertThat(h.read(h.topics.shadow(), 10, Duration.ofSeconds(30))).hasSize(10);
                // the keys did reach their tiers, the echoing one included
                assertThat(echo.lastAuthorization()).isEqualTo("Bearer " + smallKey);
                assertThat(h.simulator.lastCredential("general-model")).isEqualTo(envKey);
                assertThat(h.simulator.lastCredential("medium-model")).isEqualTo(fileKey);

                String topics = TopicScan.scan(h, TopicScan.routerTopics(h));
                StringBuilder seen = new StringBuilder(topics);
                HttpClient http = HttpClient.newHttpClient();
                for (String path : List.of("/metrics", "/health/live", "/health/ready")) {
                    HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                            .build();
                    Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                            .until(() -> http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode() < 500);
                    seen.append(http.send(get, HttpResponse.BodyHandlers.ofString()).body());
                }
                seen.append(p.output());
                assertThat(seen.length()).as("something was scanned").isGreaterThan(20_000);
                assertThat(p.output()).as("the router logged at INFO").contains("INFO");
                for (String secret : List.of(smallKey, envKey, fileKey)) {
                    assertThat(seen.indexOf(secret)).as("a planted key found in the output").isEqualTo(-1);
                }
                assertThat(topics).as("the echoed error bodies were written, redacted").contains("[redacted]")
                        .contains("HTTP 500");
            }
        }
    }

    @Test
    void shouldRefuseToStartWithCredentialsInABaseUrlWithoutShowingThem() throws Exception {
        String password = "pw-" + UUID.randomUUID();
        String queryKey = "sk-query-" + UUID.randomUUID();
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            Path dir = TestKafka.testDir().resolve("bad-url-" + h.appId);
            h.tier("small").put("base_url", "http://svc-user:" + password + "@127.0.0.1:1/v1");
            try (RouterProcess p = RouterProcess.start(h.doc, dir, "router", Map.of("CASCADE_TIER_MEDIUM_BASE_URL",
                    "http://127.0.0.1:1/v1?api_key=" + queryKey), "info")) {
                assertThat(p.awaitExit(Duration.ofSeconds(60))).as(p.output()).isEqualTo(2);
                assertThat(p.output()).contains("tiers.small.base_url").contains("user info")
                        .contains("tiers.medium.base_url").contains("query string").contains("[api_key]")
                        .doesNotContain(password).doesNotContain("svc-user").doesNotContain(queryKey);
            }
        }
    }
}
