package dev.cascade.gateway.it;

import dev.cascade.events.TopicNames;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.router.RouterApp;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.processor.QueryParser;
import dev.cascade.router.model.ParseResult;
import dev.cascade.router.tier.Tiers;
import dev.cascade.simulator.ModelBehaviour;
import dev.cascade.simulator.ModelSimulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A real cascade for gateway tests: the JVM's shared broker, a loopback model simulator and the production router
 * topology in this JVM, on topics of its own. Routes: {@code default} (small escalates at confidence 0.5, medium is
 * accepted), {@code failing} (its only tier answers HTTP 500) and {@code slow} (its only tier hangs).
 */
final class CascadeStack implements AutoCloseable {
    final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.shared();
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final TopicNames topics = new TopicNames("q-" + suffix, "a-" + suffix, "att-" + suffix, "fb-" + suffix,
            "cfg-" + suffix, "cfgs-" + suffix, "dlq-" + suffix, "sh-" + suffix);
    final ModelSimulator simulator;
    private final Tiers tiers;
    private final RouterApp router;

    CascadeStack() throws InterruptedException {
        broker.createTopics(2, List.of(topics.queries(), topics.answers(), topics.attempts(), topics.dlq(),
                topics.shadow()));
        broker.createTopics(List.of(new NewTopic(topics.config(), 1, (short) 1).configs(Map.of("cleanup.policy",
                "compact")), new NewTopic(topics.configStatus(), 1, (short) 1).configs(Map.of("cleanup.policy",
                "compact"))));
        try {
            simulator = ModelSimulator.start(0, Map.of("small-model", behaviour(0.5, ModelBehaviour.Mode.OK, 60),
                    "medium-model", behaviour(0.9, ModelBehaviour.Mode.OK, 60),
                    "general-model", behaviour(0.99, ModelBehaviour.Mode.OK, 0),
                    "broken-model", behaviour(0.9, ModelBehaviour.Mode.FAIL, 0),
                    "hanging-model", behaviour(0.9, ModelBehaviour.Mode.HANG, 0)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RouterConfig config = RouterConfig.from(routerDoc(), Map.of(), "test");
        tiers = Tiers.create(config.tiers().values(), Map.of());
        router = new RouterApp(config, tiers, new RouterMetrics(new SimpleMeterRegistry(), tiers,
                config.routes().keySet()));
        router.start();
        org.awaitility.Awaitility.await("router RUNNING").atMost(Duration.ofSeconds(60))
                .until(() -> router.state() == KafkaStreams.State.RUNNING || router.failure() != null);
        if (router.failure() != null) {
            throw new IllegalStateException("router failed to start", router.failure());
        }
    }

    /** Whether the router in this build reads {@code deadline_ms} (the reliability work of issue 17). */
    static boolean routerSupportsDeadlines() {
        return new QueryParser(1 << 16, List.of("*")).parse("{\"id\":\"x\",\"prompt\":\"p\",\"deadline_ms\":100}"
                .getBytes(StandardCharsets.UTF_8)) instanceof ParseResult.Valid;
    }

    /** Whether the router in this build replays the stored answer of a retried id (issue 17). */
    static boolean routerReplaysRetriedIds() {
        return java.util.Arrays.stream(dev.cascade.events.AnswerEvent.class.getRecordComponents())
                .anyMatch(c -> c.getName().equals("replayed"));
    }

    static ModelBehaviour behaviour(double confidence, ModelBehaviour.Mode mode, long latencyMs) {
        return new ModelBehaviour(1.0, latencyMs, confidence, confidence, 0.0, 0.0, mode, 600_000);
    }

    /** Gateway settings for this stack (a map, as the YAML file would give), on a free port. */
    Map<String, Object> gatewayDoc(String instance) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("kafka", Map.of("bootstrap.servers", broker.bootstrapServers()));
        d.put("http_host", "127.0.0.1");
        d.put("http_port", 0);
        d.put("instance", instance);
        d.put("queries_topic", topics.queries());
        d.put("reply_topic_prefix", "cascade.answers.gw" + suffix + "-");
        d.put("dlq_topic", topics.dlq());
        d.put("routes", List.of("default", "failing", "slow"));
        d.put("send_deadline_ms", routerSupportsDeadlines());
        return d;
    }

    static Path testDir() {
        return Path.of(System.getProperty("cascade.test.dir", "target"));
    }

    private Map<String, Object> routerDoc() {
        Map<String, Object> d = new LinkedHashMap<>();
        String appId = "gw-router-" + suffix;
        d.put("kafka", Map.of("bootstrap.servers", broker.bootstrapServers(), "application.id", appId,
                "state.dir", testDir().resolve("state").resolve(appId).toString(), "num.stream.threads", "1"));
        d.put("topics", Map.of("queries", topics.queries(), "answers", topics.answers(),
                "attempts", topics.attempts(), "dlq", topics.dlq(), "feedback", topics.feedback(),
                "config", topics.config(), "config_status", topics.configStatus(), "shadow", topics.shadow()));
        d.put("router", Map.of("admin_port", 0, "reply_to_allow", List.of("cascade.answers.*")));
        Map<String, Object> tierDocs = new LinkedHashMap<>();
        for (String t : List.of("small", "medium", "general", "broken", "hanging")) {
            boolean terminal = !t.equals("small") && !t.equals("medium");
            Map<String, Object> tier = new LinkedHashMap<>();
            tier.put("kind", "openai");
            tier.put("base_url", simulator.baseUrl() + "/v1");
            tier.put("model", t + "-model");
            tier.put("timeout_ms", 5_000);
            tier.put("max_in_flight", 32);
            tier.put("confidence", terminal ? "none" : "logprobs");
            tier.put("pricing", Map.of("input_usd_per_1m_tokens", "0.10", "output_usd_per_1m_tokens", "0.20"));
            tierDocs.put(t, tier);
        }
        d.put("tiers", tierDocs);
        d.put("routes", Map.of(
                "default", Map.of("tiers", List.of(Map.of("name", "small", "threshold", 0.8),
                        Map.of("name", "medium", "threshold", 0.7), Map.of("name", "general"))),
                "failing", Map.of("tiers", List.of(Map.of("name", "broken"))),
                "slow", Map.of("tiers", List.of(Map.of("name", "hanging")))));
        return d;
    }

    @Override
    public void close() {
        router.close();
        tiers.close();
        simulator.close();
    }
}
