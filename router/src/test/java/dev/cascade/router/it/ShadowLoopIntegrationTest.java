package dev.cascade.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.ctl.calibration.GeneratedOutcomes;
import dev.cascade.ctl.calibration.OutcomesFile;
import dev.cascade.ctl.calibration.QueryOutcomes;
import dev.cascade.core.PolicyParser;
import dev.cascade.core.TierStep;
import dev.cascade.ctl.CascadeCtl;
import dev.cascade.simulator.ModelSimulator;
import dev.cascade.simulator.Replay;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop on the user's own traffic, end to end on a real broker: a route with shadow_rate 1 answers queries and
 * also calls every later tier as SHADOW attempts; export-outcomes turns the shadow topic and feedback into a
 * cascade-outcomes file; calibrate chooses a policy from it; config set publishes it; and the next queries are
 * routed by it.
 */
class ShadowLoopIntegrationTest {
    private static final List<String> TIERS = List.of("tiny", "mid", "big");
    private static final List<GeneratedOutcomes.Profile> MODELS = List.of(
            new GeneratedOutcomes.Profile("tiny", 0.6, "0.000001", 0.7, 1.0, 0.0, 0.55, 1),
            new GeneratedOutcomes.Profile("mid", 0.8, "0.00001", 0.6, 1.0, 0.1, 0.6, 1),
            new GeneratedOutcomes.Profile("big", 0.95, "0.0001", 0.5, 1.0, 0.5, 1.0, 1));

    private record Run(int code, String out, String err) {
    }

    private static Run ctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CascadeCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldShadowExportCalibrateAndPublishOnItsOwnTraffic(@TempDir Path dir) throws Exception {
        int n = 240;
        List<QueryOutcomes> recorded = GeneratedOutcomes.generate(n, 33, MODELS);
        Path file = GeneratedOutcomes.write(dir.resolve("recorded.jsonl"), recorded);
        Replay.Price price = new Replay.Price(new BigDecimal("0.01"), new BigDecimal("0.01"));
        try (ModelSimulator replay = ModelSimulator.start(0, Map.of(),
                Replay.load(file, Map.of("tiny", price, "mid", price, "big", price), 0));
             RouterHarness h = new RouterHarness(doc -> {
                 Map<String, Object> tiers = new LinkedHashMap<>();
                 for (String m : TIERS) {
                     tiers.put(m, new LinkedHashMap<>(Map.of("kind", "openai", "base_url", replay.baseUrl() + "/v1",
                             "model", m, "timeout_ms", 10_000, "max_in_flight", 1000, "confidence", "logprobs",
                             "pricing", Map.of("input_usd_per_1m_tokens", "0.01", "output_usd_per_1m_tokens",
                                     "0.01"))));
                 }
                 // room for every query's calls at once: shadow calls are left out, by design, when slots are full
                 doc.put("tiers", tiers);
                 // before calibration: a cautious guess, and every query shadowed
                 doc.put("routes", Map.of("default", Map.of("shadow_rate", 1.0, "tiers", List.of(
                         Map.of("name", "tiny", "threshold", 0.95), Map.of("name", "mid", "threshold", 0.95),
                         Map.of("name", "big")))));
             })) {
            h.broker.createTopics(1, List.of(h.topics.feedback()));
            h.start();
            for (QueryOutcomes q : recorded) {
                h.query(q.id(), null, "Generated question " + q.id() + ": A or B?");
            }
            List<JsonNode> answers = h.answers(n).stream().map(RouterHarness::json).toList();
            assertThat(answers).hasSize(n).allSatisfy(a -> assertThat(a.path("status").asText())
                    .isEqualTo("ANSWERED"));

            // every tier was called exactly once per query: the cascade's calls plus SHADOW calls after the answer
            List<ConsumerRecord<byte[], byte[]>> shadowRecords = h.read(h.topics.shadow(), n, Duration.ofSeconds(60));
            assertThat(shadowRecords).hasSize(n);
            List<JsonNode> attempts = h.read(h.topics.attempts(), 3 * n, Duration.ofSeconds(60)).stream()
                    .map(RouterHarness::json).toList();
            assertThat(attempts).hasSize(3 * n);
            Map<String, Set<String>> tiersPerQuery = attempts.stream().collect(Collectors.groupingBy(
                    a -> a.path("query_id").asText(), Collectors.mapping(a -> a.path("tier").asText(),
                            Collectors.toSet())));
            assertThat(tiersPerQuery).hasSize(n).allSatisfy((id, t) -> assertThat(t).containsExactlyInAnyOrder(
                    "tiny", "mid", "big"));
            List<JsonNode> shadowAttempts = attempts.stream().filter(a -> a.path("shadow").asBoolean()).toList();
            assertThat(shadowAttempts).isNotEmpty().allSatisfy(a -> assertThat(a.path("outcome").asText())
                    .isEqualTo("SHADOW"));
            long servedBelowBig = answers.stream().filter(a -> !a.path("tier").asText().equals("big")).count();
            assertThat(servedBelowBig).isPositive();
            // the answer's cost is what serving it took; shadow calls are paid, and shown, apart
            BigDecimal answered = answers.stream().map(a -> a.path("cost_usd").decimalValue())
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal nonShadow = attempts.stream().filter(a -> !a.path("shadow").asBoolean())
                    .map(a -> a.path("cost_usd").decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(answered).isEqualByComparingTo(nonShadow);
            BigDecimal shadowSpend = shadowAttempts.stream().map(a -> a.path("cost_usd").decimalValue())
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            try (LedgerCheck ledger = new LedgerCheck(h)) {
                JsonNode summary = ledger.summary(3L * n, Duration.ofSeconds(90));
                assertThat(summary.path("shadow_cost_usd").decimalValue()).isEqualByComparingTo(shadowSpend);
                assertThat(summary.path("variable_cost_usd").decimalValue()).isEqualByComparingTo(nonShadow);
            }

            // a user judged some answers: those verdicts are the served tier's quality in the export
            List<String> judged = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = recorded.get(i).id();
                judged.add(id);
                h.io.send(h.topics.feedback(), id, "{\"query_id\":\"" + id + "\",\"correct\":false}");
            }
            Path exported = dir.resolve("exported.jsonl");
            String bootstrap = h.broker.bootstrapServers();
            Run export = ctl("--bootstrap-servers", bootstrap, "export-outcomes", "--shadow-topic",
                    h.topics.shadow(), "--feedback-topic", h.topics.feedback(), "--out", exported.toString());
            assertThat(export.code()).as(export.err()).isZero();
            assertThat(export.out()).contains("wrote " + n + " queries").contains("20 with feedback");
            List<QueryOutcomes> fromTraffic = OutcomesFile.read(exported);
            assertThat(fromTraffic).hasSize(n);
            Map<String, JsonNode> byId = answers.stream().collect(Collectors.toMap(a -> a.path("id").asText(),
                    a -> a));
            for (QueryOutcomes q : fromTraffic) {
                QueryOutcomes truth = recorded.stream().filter(r -> r.id().equals(q.id())).findFirst().orElseThrow();
                assertThat(q.outcomes().keySet()).containsExactlyInAnyOrder("tiny", "mid", "big");
                for (String t : TIERS) {
                    assertThat(q.outcomes().get(t).confidence()).isCloseTo(truth.outcomes().get(t).confidence(),
                            org.assertj.core.data.Offset.offset(1e-6));
                    assertThat(q.outcomes().get(t).costUsd()).isEqualByComparingTo(truth.outcomes().get(t).costUsd());
                    String served = byId.get(q.id()).path("tier").asText();
                    boolean expected = judged.contains(q.id()) && t.equals(served) ? false
                            : truth.outcomes().get(t).correct() == truth.outcomes().get("big").correct();
                    assertThat(q.outcomes().get(t).correct()).as(q.id() + " " + t).isEqualTo(expected);
                }
            }

            Path policy = dir.resolve("policy.json");
            Run calibrate = ctl("calibrate", "--outcomes", exported.toString(), "--terminal", "big",
                    "--target-quality", "0.95", "--bootstrap", "100", "--out", policy.toString());
            assertThat(calibrate.code()).as(calibrate.err()).isZero();
            List<TierStep> chosen = ((PolicyParser.Result.Valid) new PolicyParser(Set.copyOf(TIERS))
                    .parse("default", Files.readAllBytes(policy))).policy().tiers();
            assertThat(chosen.get(0).tier()).as(calibrate.out()).isNotEqualTo("big");

            Run publish = ctl("--bootstrap-servers", bootstrap, "--config-topic", h.topics.config(),
                    "--status-topic", h.topics.configStatus(), "--timeout", "30", "config", "set", "default",
                    "--file", policy.toString());
            assertThat(publish.code()).as(publish.err()).isZero();
            assertThat(publish.out()).contains("ACCEPTED");

            // the next queries are routed by the calibrated policy, and no longer shadowed
            for (QueryOutcomes q : recorded.subList(0, 40)) {
                h.query("after-" + q.id(), null, "Generated question " + q.id() + ": A or B?");
            }
            List<JsonNode> after = h.answers(n + 40).stream().map(RouterHarness::json)
                    .filter(a -> a.path("id").asText().startsWith("after-")).toList();
            assertThat(after).hasSize(40);
            for (JsonNode a : after) {
                QueryOutcomes q = recorded.stream().filter(r -> ("after-" + r.id()).equals(a.path("id").asText()))
                        .findFirst().orElseThrow();
                assertThat(a.path("tier").asText()).isEqualTo(GeneratedOutcomes.servedBy(chosen, q));
            }
            assertThat(h.read(h.topics.shadow(), n + 1, Duration.ofSeconds(3))).hasSize(n);
        }
    }
}
