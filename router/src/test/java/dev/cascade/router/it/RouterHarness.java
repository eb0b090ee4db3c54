package dev.cascade.router.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.events.TopicNames;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.router.RouterApp;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tiers;
import dev.cascade.simulator.ModelBehaviour;
import dev.cascade.simulator.ModelSimulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A router under test: the shared real broker, a loopback simulator serving {@code small-model},
 * {@code medium-model}, {@code large-model} and {@code general-model}, and the production topology running in this
 * JVM, on topics unique to the harness.
 */
final class RouterHarness implements AutoCloseable {
    final EmbeddedKafkaBroker broker;
    final ModelSimulator simulator;
    final TopicNames topics;
    final String appId;
    final KafkaIO io;
    final Map<String, Object> doc;
    RouterConfig config;
    RouterApp app;
    Tiers tiers;
    /** The clock the tiers and their breakers read; a test may swap in a movable one before {@link #start()}. */
    Clock clock = Clock.systemUTC();

    RouterHarness(Consumer<Map<String, Object>> customise) {
        this(TestKafka.broker(), customise);
    }

    RouterHarness(EmbeddedKafkaBroker broker, Consumer<Map<String, Object>> customise) {
        this.broker = broker;
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        topics = new TopicNames("q-" + suffix, "a-" + suffix, "att-" + suffix, "fb-" + suffix, "cfg-" + suffix,
                "cfgs-" + suffix, "dlq-" + suffix, "sh-" + suffix);
        appId = "router-test-" + suffix;
        broker.createTopics(2, List.of(topics.queries(), topics.answers(), topics.attempts(), topics.dlq(),
                topics.shadow()));
        broker.createTopics(List.of(
                new org.apache.kafka.clients.admin.NewTopic(topics.config(), 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact")),
                new org.apache.kafka.clients.admin.NewTopic(topics.configStatus(), 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact"))));
        try {
            simulator = ModelSimulator.start(0, Map.of(
                    "small-model", behaviour(0.95), "medium-model", behaviour(0.9),
                    "large-model", behaviour(0.9), "general-model", behaviour(0.99)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        doc = defaultDoc();
        customise.accept(doc);
        io = new KafkaIO(broker.bootstrapServers());
    }

    static ModelBehaviour behaviour(double confidence) {
        return new ModelBehaviour(0.9, 0, confidence, confidence, 0.0, 0.0, ModelBehaviour.Mode.OK, 600_000);
    }

    private Map<String, Object> defaultDoc() {
        Map<String, Object> d = new LinkedHashMap<>();
        Map<String, Object> kafka = new LinkedHashMap<>();
        kafka.put("bootstrap.servers", broker.bootstrapServers());
        kafka.put("application.id", appId);
        kafka.put("state.dir", TestKafka.testDir().resolve("state").resolve(appId).toString());
        kafka.put("num.stream.threads", "1");
        d.put("kafka", kafka);
        d.put("topics", new LinkedHashMap<>(Map.of("queries", topics.queries(), "answers", topics.answers(),
                "attempts", topics.attempts(), "dlq", topics.dlq(), "feedback", topics.feedback(),
                "config", topics.config(), "config_status", topics.configStatus(), "shadow", topics.shadow())));
        d.put("router", new LinkedHashMap<>(Map.of("admin_port", 0, "reply_to_allow",
                List.of("cascade.answers.*", "a-*-reply"))));
        Map<String, Object> tiers = new LinkedHashMap<>();
        for (String t : List.of("small", "medium", "large", "general")) {
            Map<String, Object> tier = new LinkedHashMap<>();
            tier.put("kind", "openai");
            tier.put("base_url", simulator.baseUrl() + "/v1");
            tier.put("model", t + "-model");
            tier.put("timeout_ms", 5000);
            tier.put("max_in_flight", 16);
            tier.put("confidence", t.equals("general") ? "none" : "logprobs");
            tier.put("pricing", Map.of("input_usd_per_1m_tokens", t.equals("general") ? "2.50" : "0.10",
                    "output_usd_per_1m_tokens", t.equals("general") ? "10.00" : "0.10"));
            tier.put("breaker", Map.of("sliding_window", 4, "minimum_calls", 4, "failure_rate_threshold", 50,
                    "open_ms", 1500, "half_open_calls", 1));
            tiers.put(t, tier);
        }
        d.put("tiers", tiers);
        Map<String, Object> routes = new LinkedHashMap<>();
        routes.put("default", Map.of("tiers", List.of(Map.of("name", "small", "threshold", 0.8),
                Map.of("name", "medium", "threshold", 0.7), Map.of("name", "large", "threshold", 0.6),
                Map.of("name", "general"))));
        d.put("routes", routes);
        return d;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> tier(String name) {
        return (Map<String, Object>) ((Map<String, Object>) doc.get("tiers")).get(name);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> routes() {
        return (Map<String, Object>) doc.get("routes");
    }

    RouterHarness start() {
        config = RouterConfig.from(doc, Map.of(), "test");
        tiers = Tiers.create(config.tiers().values(), Map.of(), clock);
        app = new RouterApp(config, tiers,
                new RouterMetrics(new SimpleMeterRegistry(), tiers, config.routes().keySet()));
        try {
            app.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        org.awaitility.Awaitility.await("router RUNNING").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> app.state() == KafkaStreams.State.RUNNING || app.failure() != null);
        if (app.failure() != null) {
            throw new IllegalStateException("router failed to start", app.failure());
        }
        return this;
    }

    void stopRouter() {
        if (app != null) {
            app.close();
            tiers.close();
            app = null;
        }
    }

    void query(String id, String route, String content) {
        String routeField = route == null ? "" : ",\"route\":\"" + route + "\"";
        io.send(topics.queries(), id, "{\"id\":\"" + id + "\"" + routeField
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
    }

    List<ConsumerRecord<byte[], byte[]>> answers(int expected) {
        return read(topics.answers(), expected, Duration.ofSeconds(60));
    }

    List<ConsumerRecord<byte[], byte[]>> read(String topic, int expected, Duration timeout) {
        return io.readUntil(topic, rs -> rs.size() >= expected, timeout, Duration.ofMillis(500));
    }

    static JsonNode json(ConsumerRecord<byte[], byte[]> r) {
        try {
            return Json.mapper().readTree(r.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stopRouter();
        io.close();
        simulator.close();
    }
}
