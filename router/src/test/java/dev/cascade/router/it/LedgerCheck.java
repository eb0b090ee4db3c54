package dev.cascade.router.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.ledger.LedgerApp;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.metrics.LedgerMetrics;
import dev.cascade.ledger.query.Summary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A cost ledger on a router harness's topics, to check its totals against the attempts topic. */
final class LedgerCheck implements AutoCloseable {
    private final LedgerApp app;
    private final LedgerConfig config;

    LedgerCheck(RouterHarness h) throws Exception {
        String s = h.appId.substring(h.appId.length() - 8);
        h.broker.createTopics(2, List.of(h.topics.feedback()));
        h.broker.createTopics(1, List.of("pr-" + s, "prs-" + s, "fbu-" + s, "ldlq-" + s));
        Path file = TestKafka.testDir().resolve("ledger-check-" + s + ".yaml");
        Files.writeString(file, String.join("\n", "kafka:", "  bootstrap.servers: " + h.broker.bootstrapServers(),
                "  application.id: ledger-check-" + s,
                "  state.dir: " + TestKafka.testDir().resolve("ledger-check-state-" + s),
                "topics: {attempts: " + h.topics.attempts() + ", answers: " + h.topics.answers() + ", feedback: "
                        + h.topics.feedback() + ", pricing: pr-" + s + ", pricing_status: prs-" + s
                        + ", unmatched_feedback: fbu-" + s + ", dlq: ldlq-" + s + ", shadow: " + h.topics.shadow()
                        + ", config: " + h.topics.config() + "}",
                "http_port: 0",
                "pricing:", "  general: {kind: api, input_usd_per_1m_tokens: 2.50, output_usd_per_1m_tokens: 10.00}",
                ""));
        config = LedgerConfig.load(file, Map.of());
        app = new LedgerApp(config, new LedgerMetrics(new SimpleMeterRegistry()));
        app.start();
    }

    /** The ledger's exact attempts_cost_usd once it has counted {@code attempts} attempts (or after the wait). */
    BigDecimal attemptsCost(long attempts, Duration wait) throws InterruptedException {
        JsonNode summary = summary(attempts, wait);
        return summary == null ? null : summary.path("attempts_cost_usd").decimalValue();
    }

    /** The ledger's summary once it has counted {@code attempts} attempts (or the last one seen after the wait). */
    JsonNode summary(long attempts, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode summary = null;
        while (System.nanoTime() < deadline) {
            try {
                summary = Summary.summary(app.queries().totals(), app.queries().failedByRoute(), app.pricing(),
                        config.referenceTier());
                if (summary.path("attempts").asLong() >= attempts) {
                    break;
                }
            } catch (RuntimeException e) {
                // stores not queryable yet
            }
            Thread.sleep(200);
        }
        return summary;
    }

    /** Exact sum of cost_usd over the attempts read from the topic. */
    static BigDecimal sum(List<ConsumerRecord<byte[], byte[]>> attempts) {
        BigDecimal total = BigDecimal.ZERO;
        for (ConsumerRecord<byte[], byte[]> r : attempts) {
            total = total.add(RouterHarness.json(r).path("cost_usd").decimalValue());
        }
        return total;
    }

    @Override
    public void close() {
        app.close();
    }
}
