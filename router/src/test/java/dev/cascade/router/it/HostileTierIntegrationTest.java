package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.router.tier.HostileModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * A route's first tier misbehaves (issue 18's measured cases, end to end on the real broker): it answers 5 MB, it
 * reports negative token counts, or its error body echoes the request's credentials. Each query is answered by the
 * next tier, the router stays RUNNING, and the key appears on no topic.
 */
class HostileTierIntegrationTest {

    private static JsonNode attemptOf(RouterHarness h, String queryId, String tier) {
        return h.read(h.topics.attempts(), 1, Duration.ofSeconds(10)).stream().map(RouterHarness::json)
                .filter(a -> a.path("query_id").asText().equals(queryId) && a.path("tier").asText().equals(tier))
                .findFirst().orElseThrow();
    }

    @Test
    void shouldEscalatePastATierThatAnswersFiveMegabytes() throws Exception {
        try (HostileModelServer hostile = HostileModelServer.start(HostileModelServer.hugeAnswer(5_000_000));
             RouterHarness h = new RouterHarness(doc -> { })) {
            h.tier("small").put("base_url", hostile.baseUrl());
            h.start();
            h.query("q-huge", null, "say a lot");
            List<ConsumerRecord<byte[], byte[]>> answers = h.read(h.topics.answers(), 1, Duration.ofSeconds(30));
            assertThat(answers).as("answered").hasSize(1);
            JsonNode a = json(answers.get(0));
            assertThat(a.path("status").asText()).isEqualTo("ANSWERED");
            assertThat(a.path("tier").asText()).isEqualTo("medium");
            assertThat(a.path("attempts").get(0).path("outcome").asText()).isEqualTo("ERROR");
            assertThat(attemptOf(h, "q-huge", "small").path("error").asText()).contains("max_response_bytes");
            assertThat(hostile.requests()).isEqualTo(1);
            assertThat(h.app.failure()).isNull();
            assertThat(h.app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    @Test
    void shouldAnswerFromTheNextTierWithinSecondsWhenATierReportsNegativeTokens() throws Exception {
        try (HostileModelServer hostile = HostileModelServer.start(HostileModelServer.answer("fine", "-5", "-1"));
             RouterHarness h = new RouterHarness(doc -> { })) {
            h.tier("small").put("base_url", hostile.baseUrl());
            h.start();
            for (int i = 0; i < 5; i++) {
                h.query("q-neg-" + i, null, "count " + i);
            }
            List<ConsumerRecord<byte[], byte[]>> answers = h.read(h.topics.answers(), 5, Duration.ofSeconds(10));
            assertThat(answers).as("all five answered within 10 s").hasSize(5);
            assertThat(answers).allSatisfy(r -> {
                assertThat(json(r).path("tier").asText()).isEqualTo("medium");
                assertThat(json(r).path("attempts").get(0).path("outcome").asText()).isEqualTo("ERROR");
            });
            JsonNode small = attemptOf(h, "q-neg-0", "small");
            assertThat(small.path("error").asText()).contains("invalid usage");
            assertThat(small.path("prompt_tokens").asLong()).isZero();
            assertThat(h.app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    @Test
    void shouldKeepTheKeyOffEveryTopicWhenATierEchoesItsCredentials() throws Exception {
        String openAiKey = "hostile-openai-" + UUID.randomUUID();
        String anthropicKey = "hostile-anthropic-" + UUID.randomUUID();
        try (HostileModelServer hostile = HostileModelServer.start(HostileModelServer.echoHeadersError());
             RouterHarness h = new RouterHarness(doc -> { })) {
            Path dir = TestKafka.testDir().resolve("hostile-" + h.appId);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("small.key"), openAiKey + "\n");
            Files.writeString(dir.resolve("echo.key"), anthropicKey + "\n");
            h.tier("small").put("base_url", hostile.baseUrl());
            h.tier("small").put("api_key_file", dir.resolve("small.key").toString());
            // an Anthropic tier (x-api-key) as the only tier of a route, so its error text ends up in the answer
            Map<String, Object> echo = new LinkedHashMap<>(Map.of("kind", "anthropic", "base_url", hostile.rootUrl(),
                    "model", "echo-model", "confidence", "none", "timeout_ms", 5000,
                    "api_key_file", dir.resolve("echo.key").toString()));
            @SuppressWarnings("unchecked")
            Map<String, Object> tiers = (Map<String, Object>) h.doc.get("tiers");
            tiers.put("echo", echo);
            h.routes().put("echo-only", Map.of("tiers", List.of(Map.of("name", "echo"))));
            // every answered query sampled: the echoing tier is called again as a shadow of the medium answer
            h.routes().put("sampled", Map.of("shadow_rate", 1.0, "tiers", List.of(
                    Map.of("name", "medium", "threshold", 0.7), Map.of("name", "small", "threshold", 0.6),
                    Map.of("name", "general"))));
            h.start();
            for (int i = 0; i < 3; i++) {
                h.query("leak-default-" + i, null, "probe " + i);
                h.query("leak-echo-" + i, "echo-only", "probe " + i);
                h.query("leak-sampled-" + i, "sampled", "probe " + i);
            }
            List<JsonNode> answers = h.read(h.topics.answers(), 9, Duration.ofSeconds(30)).stream()
                    .map(RouterHarness::json).toList();
            assertThat(answers).hasSize(9);
            assertThat(hostile.lastAuthorization()).as("the keys reached the hostile server")
                    .satisfiesAnyOf(v -> assertThat(v).contains(openAiKey), v -> assertThat(v).contains(anthropicKey));
            assertThat(answers.stream().filter(a -> a.path("id").asText().startsWith("leak-echo")))
                    .allSatisfy(a -> assertThat(a.path("error").asText()).contains("HTTP 500")
                            .contains("[redacted]"));
            assertThat(h.read(h.topics.shadow(), 3, Duration.ofSeconds(30))).hasSize(3);

            Set<String> topics = TopicScan.routerTopics(h);
            String all = TopicScan.scan(h, topics);
            assertThat(all.length()).as("something was scanned").isGreaterThan(5_000);
            assertThat(all).contains("[redacted]").doesNotContain(openAiKey).doesNotContain(anthropicKey);
        }
    }
}
