package dev.cascade.ledger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.ledger.LedgerMain;
import dev.cascade.ledger.config.LedgerConfig;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The ledger's own JVM killed with SIGKILL mid-stream and restarted: the totals stay exact. */
class LedgerCrashRecoveryIntegrationTest {

    private static Process startLedger(Path config, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), LedgerMain.class.getName(), "--config",
                config.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("LEDGER_"));
        return pb.start();
    }

    @Test
    void shouldKeepTotalsExactAfterKillAndRestart() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startFresh(LedgerTestSupport.testDir()
                .resolve("kafka"))) {
            String s = UUID.randomUUID().toString().substring(0, 8);
            int port = EmbeddedKafkaBroker.freePort();
            Path file = LedgerTestSupport.configFile(broker, s, "crash", port);
            Files.writeString(file, Files.readString(file).replace("kafka:\n",
                    "kafka:\n  main.consumer.session.timeout.ms: 6000\n"));
            LedgerConfig config = LedgerConfig.load(file, Map.of());
            LedgerTestSupport.createTopics(broker, config);
            Path log = LedgerTestSupport.testDir().resolve("ledger-crash-" + s + ".log");
            int total = 6000;
            AtomicReference<BigDecimal> sent = new AtomicReference<>(BigDecimal.ZERO);
            Process first = startLedger(file, log);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new StringSerializer())) {
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> LedgerTestSupport.getOrNull(port, "/api/summary") != null);
                Thread load = new Thread(() -> {
                    List<String> tiers = List.of("small", "medium", "general");
                    for (int i = 0; i < total; i++) {
                        BigDecimal cost = new BigDecimal(i % 9973 + 1).movePointLeft(8);
                        sent.updateAndGet(c -> c.add(cost));
                        producer.send(new ProducerRecord<>(config.topics().attempts(), "q" + i,
                                LedgerTestSupport.attempt("q" + i, tiers.get(i % 3), "ACCEPTED", cost, 50, 5)));
                        if (i % 100 == 0) {
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                    producer.flush();
                }, "load");
                load.start();
                // kill mid-stream: once the ledger has counted some but not all attempts
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    JsonNode summary = LedgerTestSupport.getOrNull(port, "/api/summary");
                    return summary != null && summary.path("attempts").asLong() > 500;
                });
                JsonNode before = LedgerTestSupport.getOrNull(port, "/api/summary");
                first.destroyForcibly().waitFor();
                assertThat(before.path("attempts").asLong()).as("killed mid-stream").isLessThan(total);
                load.join();
            } finally {
                first.destroyForcibly();
            }
            Process second = startLedger(file, log);
            try {
                BigDecimal exact = sent.get();
                Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> {
                            JsonNode summary = LedgerTestSupport.getOrNull(port, "/api/summary");
                            assertThat(summary).as(() -> {
                                try {
                                    return Files.readString(log);
                                } catch (Exception e) {
                                    return "no log";
                                }
                            }).isNotNull();
                            assertThat(summary.path("attempts").asLong()).isEqualTo(total);
                            assertThat(summary.path("attempts_cost_usd").decimalValue()).isEqualByComparingTo(exact);
                        });
                String metrics = LedgerTestSupport.text(port, "/metrics");
                assertThat(metrics).contains("ledger_spend_usd{").contains("ledger_cascade_pays_off")
                        .contains("ledger_breakeven_queries_month").contains("tier=\"small\"");
            } finally {
                second.destroy();
                second.waitFor();
            }
        }
    }
}
