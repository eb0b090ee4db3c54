package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A hanging tier fills its bulkhead and makes its own queries wait, without stalling anything else. */
class BulkheadIntegrationTest {

    @Test
    void shouldKeepAnsweringOtherRoutesWhileHangingTierFillsItsBulkhead() {
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            h.tier("large").put("max_in_flight", 2);
            h.tier("large").put("timeout_ms", 30_000);
            h.routes().put("slow", Map.of("tiers", List.of(Map.of("name", "large", "threshold", 0.5),
                    Map.of("name", "general"))));
            h.start();
            h.simulator.update("large-model", Map.of("latency_ms", 15_000));

            for (int i = 0; i < 4; i++) {
                h.query("slow-" + i, "slow", "slow question " + i);
            }
            for (int i = 0; i < 30; i++) {
                h.query("fast-" + i, null, "fast question " + i);
            }
            List<ConsumerRecord<byte[], byte[]>> fast = h.io.readUntil(h.topics.answers(),
                    rs -> rs.stream().filter(r -> json(r).path("id").asText().startsWith("fast-")).count() == 30,
                    Duration.ofSeconds(60), Duration.ZERO);
            // all fast queries answered while the hanging tier still holds every call slot it has
            assertThat(fast.stream().filter(r -> json(r).path("id").asText().startsWith("fast-"))).hasSize(30);
            assertThat(fast.stream().filter(r -> json(r).path("id").asText().startsWith("slow-"))).isEmpty();
            assertThat(h.simulator.inFlight("large-model")).isEqualTo(2);
            assertThat(h.tiers.get("large").bulkhead().getMetrics().getAvailableConcurrentCalls()).isZero();
            assertThat(h.simulator.requests("large-model")).isEqualTo(2);

            // the waiting queries are served as slots free up: nothing lost
            h.simulator.update("large-model", Map.of("latency_ms", 0));
            List<ConsumerRecord<byte[], byte[]>> all = h.answers(34);
            assertThat(all).hasSize(34);
            assertThat(all.stream().filter(r -> json(r).path("id").asText().startsWith("slow-"))
                    .map(r -> json(r).path("tier").asText())).containsOnly("large");
        }
    }
}
