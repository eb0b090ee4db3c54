package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A burst of ten times what the tiers can take at once: calls in flight never exceed the bulkheads, the rest waits
 * in the store (not on the heap), and everything is answered.
 */
class BurstIntegrationTest {

    @Test
    void shouldBoundCallsInFlightAndAnswerEverythingUnderATenfoldBurst() throws Exception {
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            for (String t : List.of("small", "medium", "large", "general")) {
                h.tier(t).put("max_in_flight", 8);
            }
            h.start();
            h.simulator.update("small-model", Map.of("latency_ms", 200));
            int capacity = 8;
            int burst = 10 * capacity * 5;
            for (int i = 0; i < burst; i++) {
                h.query("burst-" + i, null, "burst " + i);
            }
            AtomicLong maxInFlight = new AtomicLong();
            AtomicLong maxSlotsUsed = new AtomicLong();
            Thread watcher = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    maxInFlight.accumulateAndGet(h.simulator.inFlight("small-model"), Math::max);
                    maxSlotsUsed.accumulateAndGet(capacity - h.tiers.get("small").bulkhead().getMetrics()
                            .getAvailableConcurrentCalls(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "burst-watcher");
            watcher.start();
            long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            List<ConsumerRecord<byte[], byte[]>> answers = h.io.readUntil(h.topics.answers(),
                    rs -> rs.size() >= burst, Duration.ofSeconds(120), Duration.ofMillis(500));
            watcher.interrupt();
            watcher.join();
            assertThat(answers).hasSize(burst);
            assertThat(answers.stream().map(r -> json(r).path("id").asText()).distinct().count()).isEqualTo(burst);
            assertThat(maxInFlight.get()).as("calls in flight at the small tier").isBetween(1L, (long) capacity);
            assertThat(maxSlotsUsed.get()).as("bulkhead slots used").isEqualTo(capacity);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    h.tiers.get("small").bulkhead().getMetrics().getAvailableConcurrentCalls() == capacity);
            System.out.printf("burst of %d: max %d calls in flight at small (bulkhead %d); heap used %d MiB before"
                            + " reading answers%n", burst, maxInFlight.get(), capacity, heapBefore >> 20);
        }
    }
}
