package dev.cascade.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.ctl.calibration.Calibrator;
import dev.cascade.ctl.calibration.GeneratedOutcomes;
import dev.cascade.ctl.calibration.ModelOutcome;
import dev.cascade.ctl.calibration.QueryOutcomes;
import dev.cascade.ctl.calibration.PolicyScore;
import dev.cascade.core.TierStep;
import dev.cascade.simulator.ModelSimulator;
import dev.cascade.simulator.Replay;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router on a real broker against the replay simulator: every query is served by the tier the recorded
 * confidences select (logprobs on one tier, a verification call answered with P(yes) on another), with the recorded
 * answer, and the attempts cost exactly what the file recorded, so the live run equals the what-if prediction.
 */
class ReplayIntegrationTest {
    private static final List<GeneratedOutcomes.Profile> MODELS = List.of(
            new GeneratedOutcomes.Profile("tiny", 0.6, "0.000001", 0.6, 1.0, 0.0, 0.7, 3),
            new GeneratedOutcomes.Profile("mid", 0.8, "0.00001", 0.5, 1.0, 0.1, 0.6, 5),
            new GeneratedOutcomes.Profile("big", 0.9, "0.0001", 0.5, 1.0, 0.5, 1.0, 8));
    /** A price per token small enough that every recorded cost leaves room for a confidence check. */
    private static final Replay.Price PRICE = new Replay.Price(new BigDecimal("0.01"), new BigDecimal("0.01"));

    @Test
    void shouldServeRecordedAnswersAndCostExactlyWhatTheFileRecorded(@TempDir Path dir) throws Exception {
        List<QueryOutcomes> queries = GeneratedOutcomes.generate(60, 21, MODELS);
        Path file = GeneratedOutcomes.write(dir.resolve("outcomes.jsonl"), queries);
        List<TierStep> policy = List.of(new TierStep("tiny", 0.65), new TierStep("mid", 0.55),
                new TierStep("big", null));
        Map<String, Replay.Price> prices = Map.of("tiny", PRICE, "mid", PRICE, "big", PRICE);
        try (ModelSimulator replay = ModelSimulator.start(0, Map.of(), Replay.load(file, prices, 1.0));
             RouterHarness h = new RouterHarness(doc -> {
                 Map<String, Object> tiers = new LinkedHashMap<>();
                 for (String m : List.of("tiny", "mid", "big")) {
                     tiers.put(m, new LinkedHashMap<>(Map.of("kind", "openai", "base_url",
                             replay.baseUrl() + "/v1", "model", m, "timeout_ms", 10_000, "max_in_flight", 16,
                             "confidence", m.equals("mid") ? "verify" : "logprobs",
                             "pricing", Map.of("input_usd_per_1m_tokens", "0.01", "output_usd_per_1m_tokens",
                                     "0.01"))));
                 }
                 doc.put("tiers", tiers);
                 doc.put("routes", Map.of("default", Map.of("tiers", List.of(
                         Map.of("name", "tiny", "threshold", 0.65), Map.of("name", "mid", "threshold", 0.55),
                         Map.of("name", "big")))));
             })) {
            h.start();
            for (QueryOutcomes q : queries) {
                h.query(q.id(), null, "Generated question " + q.id() + ": A or B?");
            }
            List<JsonNode> answers = h.answers(queries.size()).stream().map(RouterHarness::json).toList();
            assertThat(answers).hasSize(queries.size());
            Map<String, JsonNode> byId = answers.stream().collect(Collectors.toMap(a -> a.path("id").asText(),
                    a -> a));
            for (QueryOutcomes q : queries) {
                JsonNode a = byId.get(q.id());
                String expected = GeneratedOutcomes.servedBy(policy, q);
                assertThat(a.path("status").asText()).isEqualTo("ANSWERED");
                assertThat(a.path("tier").asText()).as(q.id()).isEqualTo(expected);
                ModelOutcome o = q.outcomes().get(expected);
                assertThat(a.path("content").asText()).isEqualTo(o.correct() ? "A" : "B");
                if (!expected.equals("big")) {
                    // logprobs on tiny, P(yes) of the verification call on mid: both recover the recorded value
                    assertThat(a.path("confidence").asDouble()).isCloseTo(o.confidence(),
                            org.assertj.core.data.Offset.offset(1e-6));
                }
            }
            assertThat(replay.verifications("mid")).isPositive();
            assertThat(replay.verifications("tiny")).isZero();

            PolicyScore predicted = Calibrator.replay(queries, policy, "big");
            List<ConsumerRecord<byte[], byte[]>> attempts = h.io.readUntil(h.topics.attempts(), rs -> false,
                    Duration.ofSeconds(5), Duration.ofMillis(500));
            BigDecimal paid = LedgerCheck.sum(attempts);
            // logprobs tiers pay the recorded confidence check with the answer, the verify tier on its check call:
            // to the last digit what the file recorded, as the what-if replay predicts
            assertThat(paid).isEqualByComparingTo(predicted.totalCost());
            long right = answers.stream().filter(a -> a.path("content").asText().equals("A")).count();
            assertThat(right).isEqualTo(predicted.correct());
        }
    }

    @Test
    void shouldRefuseAConversationTheFileLacksAndABrokenFile(@TempDir Path dir) throws Exception {
        Path file = GeneratedOutcomes.write(dir.resolve("o.jsonl"), GeneratedOutcomes.generate(3, 1, MODELS));
        try (ModelSimulator replay = ModelSimulator.start(0, Map.of(), Replay.load(file, Map.of(), 0))) {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(replay.baseUrl()
                                    + "/v1/chat/completions"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\","
                                    + "\"messages\":[{\"role\":\"user\",\"content\":\"not recorded\"}]}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("not in the replay file");
        }
        Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, Files.readString(file) + "{\"id\":\"x\",\"messages\":[]}\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Replay.load(broken, Map.of(), 1))
                .hasMessageContaining("line 4").hasMessageContaining("messages");
    }
}
