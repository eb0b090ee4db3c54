package dev.cascade.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Model API keys come only from the environment or files and never leave the router except towards their tier: a
 * planted key is scanned for in the router's logs (at INFO), in every topic it writes (values, keys and headers) and
 * on every admin endpoint, while tiers that use it both fail and succeed.
 */
class SecretRedactionIntegrationTest {

    @Test
    void shouldNeverShowThePlantedKeyInLogsTopicsOrAdminEndpoints() throws Exception {
        String envKey = "sk-planted-" + UUID.randomUUID();
        String fileKey = "sk-file-" + UUID.randomUUID();
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            Path dir = TestKafka.testDir().resolve("secrets-" + h.appId);
            Files.createDirectories(dir);
            Path keyFile = dir.resolve("medium.key");
            Files.writeString(keyFile, fileKey + "\n");
            h.tier("general").put("api_key_env", "PLANTED_GENERAL_KEY");
            h.tier("medium").put("api_key_file", keyFile.toString());
            int adminPort = dev.cascade.kafka.EmbeddedKafkaBroker.freePort();
            @SuppressWarnings("unchecked")
            Map<String, Object> router = (Map<String, Object>) h.doc.get("router");
            router.put("admin_port", adminPort);
            h.simulator.update("small-model", Map.of("mode", "fail"));
            h.simulator.update("medium-model", Map.of("confidence_correct", 0.1, "confidence_wrong", 0.1));
            h.simulator.update("large-model", Map.of("confidence_correct", 0.1, "confidence_wrong", 0.1));
            try (RouterProcess p = RouterProcess.start(h.doc, dir, "router", Map.of("PLANTED_GENERAL_KEY", envKey),
                    "info")) {
                for (int i = 0; i < 20; i++) {
                    h.query("s-" + i, null, "secret probe " + i);
                }
                h.io.send(h.topics.queries(), "bad", "{\"id\":\"bad\",\"prompt\":\"" + envKey + "\",\"x\":1}");
                List<ConsumerRecord<byte[], byte[]>> answers = h.answers(20);
                assertThat(answers).hasSize(20);
                // the keys did reach their tiers
                assertThat(h.simulator.lastCredential("general-model")).isEqualTo(envKey);
                assertThat(h.simulator.lastCredential("medium-model")).isEqualTo(fileKey);

                StringBuilder seen = new StringBuilder();
                for (String topic : List.of(h.topics.answers(), h.topics.attempts(), h.topics.dlq(),
                        h.topics.configStatus())) {
                    for (ConsumerRecord<byte[], byte[]> r : h.read(topic, 1, Duration.ofSeconds(5))) {
                        if (r.key() != null) {
                            seen.append(new String(r.key(), StandardCharsets.UTF_8));
                        }
                        if (r.value() != null) {
                            String v = new String(r.value(), StandardCharsets.UTF_8);
                            // the DLQ keeps the producer's bytes unchanged, and this producer put the key in a prompt
                            if (!(topic.equals(h.topics.dlq()) && v.contains("\"id\":\"bad\""))) {
                                seen.append(v);
                            }
                        }
                        for (Header header : r.headers()) {
                            seen.append(new String(header.value(), StandardCharsets.UTF_8));
                        }
                    }
                }
                HttpClient http = HttpClient.newHttpClient();
                for (String path : List.of("/metrics", "/health/live", "/health/ready")) {
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                        try {
                            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode() < 500;
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    });
                    seen.append(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                            .build(), HttpResponse.BodyHandlers.ofString()).body());
                }
                seen.append(p.output());
                assertThat(seen.length()).as("something was scanned").isGreaterThan(10_000);
                assertThat(p.output()).as("the router logged at INFO").contains("INFO");
                for (String secret : List.of(envKey, fileKey)) {
                    Matcher m = Pattern.compile(Pattern.quote(secret)).matcher(seen);
                    assertThat(m.find()).as("planted key found in output").isFalse();
                }
            }
        }
    }
}
