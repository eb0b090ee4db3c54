package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.router.tier.MovableClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The cascade end to end: real broker, real HTTP tiers on loopback, the production topology. */
class CascadeRoutingIntegrationTest {

    @Test
    void shouldAcceptAtFirstTierWhenConfidenceReachesThreshold() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            h.query("q-accept", null, "What is 2+2?");
            List<ConsumerRecord<byte[], byte[]>> answers = h.answers(1);
            assertThat(answers).hasSize(1);
            JsonNode a = json(answers.get(0));
            assertThat(a.path("status").asText()).isEqualTo("ANSWERED");
            assertThat(a.path("tier").asText()).isEqualTo("small");
            assertThat(a.path("model").asText()).isEqualTo("small-model");
            assertThat(a.path("confidence").asDouble()).isCloseTo(0.95, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(a.path("attempts")).hasSize(1);
            assertThat(a.path("attempts").get(0).path("outcome").asText()).isEqualTo("ACCEPTED");
            assertThat(h.simulator.requests("small-model")).isEqualTo(1);
            assertThat(h.simulator.requests("medium-model")).isZero();

            List<ConsumerRecord<byte[], byte[]>> attempts = h.read(h.topics.attempts(), 1, Duration.ofSeconds(30));
            assertThat(attempts).hasSize(1);
            JsonNode att = json(attempts.get(0));
            assertThat(att.path("query_id").asText()).isEqualTo("q-accept");
            assertThat(att.path("outcome").asText()).isEqualTo("ACCEPTED");
            assertThat(att.path("threshold").asDouble()).isEqualTo(0.8);
            long tokens = att.path("prompt_tokens").asLong() + att.path("completion_tokens").asLong();
            assertThat(tokens).isPositive();
            // 0.10 USD per 1M tokens both ways: exact decimal, equal to the answer's total
            assertThat(att.path("cost_usd").decimalValue())
                    .isEqualByComparingTo(new BigDecimal("0.10").multiply(BigDecimal.valueOf(tokens))
                            .movePointLeft(6));
            assertThat(a.path("cost_usd").decimalValue()).isEqualByComparingTo(att.path("cost_usd").decimalValue());
        }
    }

    @Test
    void shouldEscalateWhenConfidenceBelowThreshold() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            h.simulator.update("small-model", Map.of("confidence_correct", 0.5, "confidence_wrong", 0.5));
            h.query("q-escalate", null, "Explain entropy.");
            JsonNode a = json(h.answers(1).get(0));
            assertThat(a.path("tier").asText()).isEqualTo("medium");
            assertThat(a.path("attempts")).hasSize(2);
            assertThat(a.path("attempts").get(0).path("tier").asText()).isEqualTo("small");
            assertThat(a.path("attempts").get(0).path("outcome").asText()).isEqualTo("ESCALATED");
            assertThat(a.path("attempts").get(0).path("confidence").asDouble()).isLessThan(0.8);
            assertThat(a.path("attempts").get(1).path("outcome").asText()).isEqualTo("ACCEPTED");
            BigDecimal sum = a.path("attempts").get(0).path("cost_usd").decimalValue()
                    .add(a.path("attempts").get(1).path("cost_usd").decimalValue());
            assertThat(a.path("cost_usd").decimalValue()).isEqualByComparingTo(sum);
            List<ConsumerRecord<byte[], byte[]>> attempts = h.read(h.topics.attempts(), 2, Duration.ofSeconds(30));
            assertThat(attempts).extracting(r -> json(r).path("outcome").asText())
                    .containsExactly("ESCALATED", "ACCEPTED");
        }
    }

    @Test
    void shouldVerifyWithSecondCallWhenTierUsesVerifyMethod() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            h.stopRouter();
        }
        try (RouterHarness h = new RouterHarness(doc -> {
        })) {
            h.tier("small").put("confidence", "verify");
            h.start();
            h.query("q-verify", null, "Is water wet?");
            JsonNode a = json(h.answers(1).get(0));
            assertThat(a.path("tier").asText()).isEqualTo("small");
            assertThat(a.path("confidence").asDouble()).isCloseTo(0.95, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(h.simulator.requests("small-model")).isEqualTo(2);
            assertThat(h.simulator.verifications("small-model")).isEqualTo(1);
        }
    }

    @Test
    void shouldFallThroughToGeneralApiWhenSelfHostedTiersFailAndCloseBreakersWhenTheyHeal() {
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            h.tier("small").put("breaker", Map.of("sliding_window", 4, "minimum_calls", 4,
                    "failure_rate_threshold", 50, "open_ms", 600_000, "half_open_calls", 1));
            MovableClock clock = new MovableClock(Clock.systemUTC());
            h.clock = clock;
            h.start();
            for (String m : List.of("small-model", "medium-model", "large-model")) {
                h.simulator.update(m, Map.of("mode", "fail"));
            }
            // one at a time so the breaker sees the failures in order
            for (int i = 0; i < 8; i++) {
                h.query("q-fail-" + i, null, "question " + i);
                h.answers(i + 1);
            }
            List<ConsumerRecord<byte[], byte[]>> answers = h.answers(8);
            assertThat(answers).hasSize(8);
            answers.forEach(r -> {
                assertThat(json(r).path("status").asText()).isEqualTo("ANSWERED");
                assertThat(json(r).path("tier").asText()).isEqualTo("general");
            });
            CircuitBreaker small = h.tiers.get("small").breaker();
            List<ConsumerRecord<byte[], byte[]>> attempts = h.read(h.topics.attempts(), 8 * 4, Duration.ofSeconds(30));
            List<JsonNode> smallAttempts = attempts.stream().map(RouterHarness::json)
                    .filter(n -> n.path("tier").asText().equals("small"))
                    .sorted(java.util.Comparator.comparingLong(n -> n.path("timestamp").asLong())).toList();
            assertThat(smallAttempts).hasSize(8);
            // the breaker opens after minimum_calls (4) failures; a half-open probe may fail once more later
            assertThat(smallAttempts.subList(0, 4)).allSatisfy(n ->
                    assertThat(n.path("outcome").asText()).isEqualTo("ERROR"));
            List<JsonNode> shorted = smallAttempts.stream()
                    .filter(n -> n.path("outcome").asText().equals("SHORT_CIRCUITED")).toList();
            assertThat(shorted).hasSizeGreaterThanOrEqualTo(3);
            assertThat(shorted).allSatisfy(n -> {
                assertThat(n.path("cost_usd").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);
                assertThat(n.path("prompt_tokens").asLong()).isZero();
            });
            // one attempt per call made: short-circuited attempts made no call
            assertThat(h.simulator.requests("small-model")).isEqualTo(8 - shorted.size());

            // heal: once open_ms (10 minutes) has passed on the tiers' clock, moved rather than waited for, the
            // half-open probe succeeds and the breaker closes again
            for (String m : List.of("small-model", "medium-model", "large-model")) {
                h.simulator.update(m, Map.of("mode", "ok"));
            }
            assertThat(small.getState()).isEqualTo(CircuitBreaker.State.OPEN);
            clock.advance(Duration.ofMinutes(10));
            int[] sent = {8};
            Awaitility.await("small tier breaker closes after healing").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        h.query("q-heal-" + sent[0], null, "heal " + sent[0]);
                        sent[0]++;
                        h.answers(sent[0]);
                        return small.getState() == CircuitBreaker.State.CLOSED;
                    });
            h.query("q-after-heal", null, "after heal");
            List<ConsumerRecord<byte[], byte[]>> all = h.answers(sent[0] + 1);
            JsonNode last = all.stream().map(RouterHarness::json)
                    .filter(n -> n.path("id").asText().equals("q-after-heal")).findFirst().orElseThrow();
            assertThat(last.path("tier").asText()).isEqualTo("small");
        }
    }

    @Test
    void shouldFailWithReasonWhenEveryTierFails() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            for (String m : List.of("small-model", "medium-model", "large-model", "general-model")) {
                h.simulator.update(m, Map.of("mode", "fail"));
            }
            h.query("q-all-fail", null, "doomed");
            JsonNode a = json(h.answers(1).get(0));
            assertThat(a.path("status").asText()).isEqualTo("FAILED");
            assertThat(a.path("error").asText()).contains("general=ERROR").contains("HTTP 500");
            assertThat(a.path("attempts")).hasSize(4);
            assertThat(a.has("tier")).isFalse();
        }
    }

    @Test
    void shouldWriteExactlyOneAnswerPerQueryAndOneAttemptPerModelCall() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            // a mix: about half the small answers fall below the threshold and escalate
            h.simulator.update("small-model", Map.of("confidence_correct", 0.9, "confidence_wrong", 0.5,
                    "accuracy", 0.5));
            int n = 200;
            IntStream.range(0, n).forEach(i -> h.query("q-" + i, null, "load question " + i));
            List<ConsumerRecord<byte[], byte[]>> answers = h.answers(n);
            assertThat(answers).hasSize(n);
            assertThat(answers.stream().map(r -> json(r).path("id").asText()).distinct().count()).isEqualTo(n);
            long calls = List.of("small-model", "medium-model", "large-model", "general-model").stream()
                    .mapToLong(h.simulator::requests).sum();
            List<ConsumerRecord<byte[], byte[]>> attempts = h.read(h.topics.attempts(), (int) calls,
                    Duration.ofSeconds(30));
            assertThat(attempts).hasSize((int) calls);
            long escalated = answers.stream().filter(r -> json(r).path("tier").asText().equals("medium")).count();
            assertThat(escalated).isGreaterThan(0).isLessThan(n);
            assertThat(calls).isEqualTo(n + escalated);
        }
    }
}
