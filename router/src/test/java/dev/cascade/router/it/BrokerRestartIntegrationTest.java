package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The broker stops and comes back (same data, same ports) in the middle of the load: queries are unanswered when it
 * stops, more are sent while it is down, and each of them is answered exactly once.
 */
class BrokerRestartIntegrationTest {

    @Test
    void shouldAnswerEveryQueryExactlyOnceAcrossABrokerRestart() throws Exception {
        Path data = TestKafka.testDir().resolve("restart-broker-" + System.nanoTime());
        int port = EmbeddedKafkaBroker.freePort();
        int controllerPort = EmbeddedKafkaBroker.freePort();
        AtomicReference<EmbeddedKafkaBroker> broker = new AtomicReference<>(
                EmbeddedKafkaBroker.start(data, port, controllerPort, false, Map.of()));
        try (RouterHarness h = new RouterHarness(broker.get(), doc -> { }).start()) {
            h.simulator.update("small-model", Map.of("latency_ms", 50, "accuracy", 0.6, "confidence_wrong", 0.5));
            int before = 200;
            int n = 300;
            LedgerCheck ledger = new LedgerCheck(h);
            for (int i = 0; i < 150; i++) {
                h.query("br-" + i, null, "broker restart " + i);
            }
            assertThat(h.io.readUntil(h.topics.answers(), rs -> rs.size() >= 30, Duration.ofSeconds(60),
                    Duration.ZERO).size()).as("answers flowing before the stop").isGreaterThanOrEqualTo(30);
            for (int i = 150; i < before; i++) {
                h.query("br-" + i, null, "broker restart " + i);
            }
            // each of these takes at least the small tier's 50 ms: some are surely unanswered when the broker stops
            long stoppedAt = System.currentTimeMillis();
            broker.get().close();
            AtomicInteger sentWhileDown = new AtomicInteger();
            Thread during = new Thread(() -> {
                for (int i = before; i < n; i++) {
                    h.query("br-" + i, null, "broker restart " + i);
                    sentWhileDown.incrementAndGet();
                }
            }, "load-during-restart");
            during.start();
            Awaitility.await("the broker stays down for a while").pollDelay(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(10)).until(during::isAlive);
            assertThat(sentWhileDown.get()).as("no send acknowledged while the broker is down").isZero();
            long restartedAt = System.currentTimeMillis();
            broker.set(EmbeddedKafkaBroker.start(data, port, controllerPort, false, Map.of()));
            during.join(120_000);
            assertThat(sentWhileDown.get()).as("queries sent during the outage, delivered after it")
                    .isEqualTo(n - before);

            List<ConsumerRecord<byte[], byte[]>> answers = h.io.readUntil(h.topics.answers(),
                    rs -> rs.stream().map(r -> json(r).path("id").asText()).distinct().count() >= n,
                    Duration.ofSeconds(180), Duration.ofSeconds(3));
            Map<String, Long> perId = answers.stream().collect(Collectors.groupingBy(
                    r -> json(r).path("id").asText(), Collectors.counting()));
            assertThat(perId).hasSize(n);
            assertThat(perId.values()).as("answers per query").containsOnly(1L);
            long answeredBeforeStop = answers.stream().filter(r -> r.timestamp() < stoppedAt).count();
            long answeredAfterRestart = answers.stream().filter(r -> r.timestamp() >= restartedAt).count();
            assertThat(answeredBeforeStop).as("the stop came mid-load: sent %d, answered %d", before,
                    answeredBeforeStop).isBetween(30L, before - 1L);
            assertThat(answeredAfterRestart).as("answered after the restart").isGreaterThanOrEqualTo(n - before);
            assertThat(h.app.failure()).isNull();
            // the ledger, running through the restart as well, is exact against the attempts topic
            List<ConsumerRecord<byte[], byte[]>> attempts = h.io.readUntil(h.topics.attempts(), rs -> false,
                    Duration.ofSeconds(3), Duration.ZERO);
            java.math.BigDecimal expected = LedgerCheck.sum(attempts);
            assertThat(ledger.attemptsCost(attempts.size(), Duration.ofSeconds(90))).isEqualByComparingTo(expected);
            ledger.close();
            System.out.printf("broker restart: %d queries (%d answered before the stop, %d after the restart), %d "
                    + "answers, 0 duplicates, %d attempts, ledger %s USD%n", n, answeredBeforeStop,
                    answeredAfterRestart, answers.size(), attempts.size(), expected.toPlainString());
        } finally {
            broker.get().close();
            EmbeddedKafkaBroker.deleteRecursively(data);
        }
    }
}
