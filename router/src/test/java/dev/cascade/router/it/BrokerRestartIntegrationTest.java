package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The broker stops and comes back (same data, same ports) while queries flow: each is answered exactly once. */
class BrokerRestartIntegrationTest {

    @Test
    void shouldAnswerEveryQueryExactlyOnceAcrossABrokerRestart() throws Exception {
        Path data = TestKafka.testDir().resolve("restart-broker-" + System.nanoTime());
        int port = EmbeddedKafkaBroker.freePort();
        int controllerPort = EmbeddedKafkaBroker.freePort();
        AtomicReference<EmbeddedKafkaBroker> broker = new AtomicReference<>(
                EmbeddedKafkaBroker.start(data, port, controllerPort, false, Map.of()));
        try (RouterHarness h = new RouterHarness(broker.get(), doc -> { }).start()) {
            h.simulator.update("small-model", Map.of("latency_ms", 20, "accuracy", 0.6, "confidence_wrong", 0.5));
            int n = 300;
            LedgerCheck ledger = new LedgerCheck(h);
            Thread load = new Thread(() -> {
                for (int i = 0; i < n; i++) {
                    h.query("br-" + i, null, "broker restart " + i);
                    if (i % 10 == 0) {
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "load");
            load.start();
            List<ConsumerRecord<byte[], byte[]>> before = h.io.readUntil(h.topics.answers(), rs -> rs.size() >= 30,
                    Duration.ofSeconds(60), Duration.ZERO);
            assertThat(before.size()).isGreaterThanOrEqualTo(30);
            broker.get().close();
            Thread.sleep(3_000);
            broker.set(EmbeddedKafkaBroker.start(data, port, controllerPort, false, Map.of()));
            load.join(120_000);
            List<ConsumerRecord<byte[], byte[]>> answers = h.io.readUntil(h.topics.answers(),
                    rs -> rs.stream().map(r -> json(r).path("id").asText()).distinct().count() >= n,
                    Duration.ofSeconds(180), Duration.ofSeconds(3));
            Map<String, Long> perId = answers.stream().collect(Collectors.groupingBy(
                    r -> json(r).path("id").asText(), Collectors.counting()));
            assertThat(perId).hasSize(n);
            assertThat(perId.values()).as("answers per query").containsOnly(1L);
            assertThat(h.app.failure()).isNull();
            // the ledger, running through the restart as well, is exact against the attempts topic
            List<ConsumerRecord<byte[], byte[]>> attempts = h.io.readUntil(h.topics.attempts(), rs -> false,
                    Duration.ofSeconds(3), Duration.ZERO);
            java.math.BigDecimal expected = LedgerCheck.sum(attempts);
            assertThat(ledger.attemptsCost(attempts.size(), Duration.ofSeconds(90))).isEqualByComparingTo(expected);
            ledger.close();
            System.out.printf("broker restart: %d queries, %d answers, 0 duplicates, %d attempts, ledger %s USD%n", n,
                    answers.size(), attempts.size(), expected.toPlainString());
        } finally {
            broker.get().close();
            EmbeddedKafkaBroker.deleteRecursively(data);
        }
    }

}
