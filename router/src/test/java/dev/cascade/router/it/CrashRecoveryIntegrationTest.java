package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The router's process is killed with SIGKILL mid-load and started again on the same application id and state
 * directory: every query is answered exactly once (read_committed), in-flight queries are dispatched again.
 */
class CrashRecoveryIntegrationTest {

    @Test
    void shouldLoseNoQueryAndAnswerNoneTwiceAfterKillAndRestart() throws Exception {
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            @SuppressWarnings("unchecked")
            Map<String, Object> kafka = (Map<String, Object>) h.doc.get("kafka");
            kafka.put("main.consumer.session.timeout.ms", "6000");
            kafka.put("main.consumer.heartbeat.interval.ms", "1000");
            // slow enough that calls are in flight when the process dies; some queries escalate
            h.simulator.update("small-model", Map.of("latency_ms", 40, "accuracy", 0.6, "confidence_correct", 0.9,
                    "confidence_wrong", 0.5));
            Path dir = TestKafka.testDir().resolve("crash-" + h.appId);
            int n = 400;
            LedgerCheck ledger = new LedgerCheck(h);
            RouterProcess first = RouterProcess.start(h.doc, dir, "first");
            try {
                IntStream.range(0, n).forEach(i -> h.query("crash-" + i, null, "crash question " + i));
                List<ConsumerRecord<byte[], byte[]>> before = h.io.readUntil(h.topics.answers(),
                        rs -> rs.size() >= n / 4, Duration.ofSeconds(90), Duration.ZERO);
                assertThat(before).as("answers before the kill; router said:%n%s", first.output())
                        .hasSizeGreaterThanOrEqualTo(n / 4);
                assertThat(before.size()).as("the kill must happen mid-load").isLessThan(n);
            } finally {
                first.kill();
            }
            try (RouterProcess second = RouterProcess.start(h.doc, dir, "second")) {
                List<ConsumerRecord<byte[], byte[]>> answers = h.io.readUntil(h.topics.answers(),
                        rs -> rs.stream().map(r -> json(r).path("id").asText()).distinct().count() >= n,
                        Duration.ofSeconds(120), Duration.ofSeconds(3));
                Map<String, Long> perId = answers.stream()
                        .collect(Collectors.groupingBy(r -> json(r).path("id").asText(), Collectors.counting()));
                assertThat(perId).as("router said:%n%s", second.output()).hasSize(n);
                Map<String, Long> doubled = new HashMap<>(perId);
                doubled.values().removeIf(c -> c == 1);
                assertThat(doubled).as("queries answered more than once").isEmpty();
                assertThat(answers).allSatisfy(r -> assertThat(json(r).path("status").asText()).isEqualTo("ANSWERED"));

                // every committed attempt belongs to a query, and every answer's attempts are on the attempts topic
                List<ConsumerRecord<byte[], byte[]>> attempts = h.io.readUntil(h.topics.attempts(), rs -> false,
                        Duration.ofSeconds(3), Duration.ZERO);
                Set<String> attemptIds = attempts.stream().map(r -> json(r).path("query_id").asText())
                        .collect(Collectors.toSet());
                assertThat(attemptIds).isEqualTo(perId.keySet());
                long answerAttempts = answers.stream().mapToLong(r -> json(r).path("attempts").size()).sum();
                assertThat(attempts).hasSize((int) answerAttempts);
                assertThat(second.isAlive()).isTrue();
                // the ledger, running throughout, counted exactly what the attempts topic holds
                BigDecimal expected = LedgerCheck.sum(attempts);
                assertThat(ledger.attemptsCost(attempts.size(), Duration.ofSeconds(60)))
                        .isEqualByComparingTo(expected);
                System.out.printf("kill -9: %d queries, %d answers, 0 duplicates, %d attempts, ledger %s USD%n", n,
                        answers.size(), attempts.size(), expected.toPlainString());
            } finally {
                ledger.close();
            }
        }
    }
}
