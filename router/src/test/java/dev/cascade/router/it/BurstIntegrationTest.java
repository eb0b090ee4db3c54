package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.router.processor.CascadeProcessor;
import dev.cascade.router.processor.InFlight;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A burst of fifty times what a tier can take at once: calls in flight never exceed the bulkhead (the model server
 * keeps its own high-water mark), the queries waiting for a slot are in the in-flight store, and everything is
 * answered, leaving the store empty.
 */
class BurstIntegrationTest {

    private static long storeSize(RouterHarness h) {
        ReadOnlyKeyValueStore<String, InFlight> store = h.app.streams().store(StoreQueryParameters.fromNameAndType(
                CascadeProcessor.STORE, QueryableStoreTypes.<String, InFlight>keyValueStore()));
        long n = 0;
        try (KeyValueIterator<String, InFlight> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void shouldBoundCallsInFlightAndAnswerEverythingUnderABurst() throws Exception {
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            int capacity = 8;
            for (String t : List.of("small", "medium", "large", "general")) {
                h.tier(t).put("max_in_flight", capacity);
            }
            h.start();
            h.simulator.update("small-model", Map.of("latency_ms", 200));
            int burst = 50 * capacity;
            for (int i = 0; i < burst; i++) {
                h.query("burst-" + i, null, "burst " + i);
            }
            // the small tier serves 8 per 200 ms: the burst waits in the store for seconds
            AtomicLong peakStored = new AtomicLong();
            Awaitility.await("most of the burst waiting in the store").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> peakStored.accumulateAndGet(storeSize(h), Math::max) >= burst / 2);
            assertThat(h.simulator.inFlight("small-model")).as("while the store holds " + peakStored.get())
                    .isLessThanOrEqualTo(capacity);

            List<ConsumerRecord<byte[], byte[]>> answers = h.io.readUntil(h.topics.answers(),
                    rs -> rs.size() >= burst, Duration.ofSeconds(120), Duration.ofMillis(500));
            assertThat(answers).hasSize(burst);
            assertThat(answers.stream().map(r -> json(r).path("id").asText()).distinct().count()).isEqualTo(burst);
            assertThat(h.simulator.maxInFlight("small-model")).as("the server's high-water mark: the bulkhead filled, "
                    + "never exceeded").isEqualTo(capacity);
            Awaitility.await("store emptied").atMost(Duration.ofSeconds(10)).until(() -> storeSize(h) == 0);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    h.tiers.get("small").bulkhead().getMetrics().getAvailableConcurrentCalls() == capacity);
        }
    }
}
