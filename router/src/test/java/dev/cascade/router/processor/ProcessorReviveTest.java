package dev.cascade.router.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.core.RouteTable;
import dev.cascade.events.AnswerEvent;
import dev.cascade.events.Json;
import dev.cascade.events.JsonSerde;
import dev.cascade.router.client.ModelReply;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tiers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/**
 * Kafka Streams may close a task and init the same processor instance again (a corrupted task is revived under
 * exactly-once): the revived processor must take its stored queries up again and hear the calls it makes.
 */
class ProcessorReviveTest {
    private final List<CompletableFuture<ModelReply>> calls = new ArrayList<>();

    @Test
    void shouldRedispatchStoredQueriesAndHearNewCallsAfterCloseAndInitAgain() throws Exception {
        Map<String, Object> doc = Map.of(
                "tiers", Map.of("small", Map.of("base_url", "http://unused/v1", "model", "s", "confidence", "none")),
                "routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "small")))));
        RouterConfig config = RouterConfig.from(doc, Map.of(), "test");
        Tiers tiers = Tiers.withClients(config.tiers().values(), name -> (ModelRequest request) -> {
            CompletableFuture<ModelReply> f = new CompletableFuture<>();
            calls.add(f);
            return f;
        }, null);
        CascadeProcessor processor = new CascadeProcessor(RouteTable.of(config.routes()), tiers,
                new QueryParser(1024, List.of()), new RouterMetrics(new SimpleMeterRegistry(), tiers,
                config.routes().keySet()), "cascade.answers", Duration.ofMillis(10), 1024 * 1024,
                ShadowSampler.unkeyed(), ReplyTopics.assumeExisting(), config.idempotencyWindow());
        MockProcessorContext<byte[], Object> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_000L);
        KeyValueStore<String, InFlight> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(CascadeProcessor.STORE), Serdes.String(), JsonSerde.of(InFlight.class))
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        WindowStore<String, AnswerEvent> answered = Stores.windowStoreBuilder(Stores.inMemoryWindowStore(
                CascadeProcessor.ANSWERED_STORE, CascadeProcessor.answeredRetention(config.idempotencyWindow()),
                Duration.ofMillis(1), false), Serdes.String(), JsonSerde.of(AnswerEvent.class))
                .withLoggingDisabled().build();
        answered.init(context.getStateStoreContext(), answered);
        context.addStateStore(answered);

        processor.init(context);
        processor.process(new Record<>("q1".getBytes(StandardCharsets.UTF_8),
                "{\"id\":\"q1\",\"prompt\":\"hi\"}".getBytes(StandardCharsets.UTF_8), 0L));
        assertThat(calls).hasSize(1);
        processor.close(); // the task is closed dirty: its call in flight is lost, the entry stays in the store

        MockProcessorContext<byte[], Object> revived = new MockProcessorContext<>();
        revived.setCurrentSystemTimeMs(2_000L);
        revived.addStateStore(store);
        revived.addStateStore(answered);
        processor.init(revived);
        punctuate(revived);
        assertThat(calls).as("the stored query is dispatched again").hasSize(2);

        calls.get(1).complete(new ModelReply("hello", 1, 1, null));
        punctuate(revived);
        List<MockProcessorContext.CapturedForward<? extends byte[], ?>> answers = revived.forwarded().stream()
                .filter(f -> f.childName().orElse("").equals(CascadeProcessor.SINK_ANSWERS)).toList();
        assertThat(answers).as("the revived processor heard its call").hasSize(1);
        Routed routed = (Routed) answers.get(0).record().value();
        assertThat(Json.mapper().readTree(routed.value()).path("content").asText()).isEqualTo("hello");
        assertThat(store.get("q1")).isNull();
    }

    private static void punctuate(MockProcessorContext<byte[], Object> context) {
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(0L);
    }
}
