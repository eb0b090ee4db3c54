package dev.cascade.router.topology;

import dev.cascade.events.AnswerEvent;
import dev.cascade.events.JsonSerde;
import dev.cascade.events.SettingsStatus;
import dev.cascade.live.StatusProcessor;
import dev.cascade.core.RouteTable;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.processor.CascadeProcessor;
import dev.cascade.router.processor.InFlight;
import dev.cascade.router.processor.QueryParser;
import dev.cascade.router.processor.ReplyRules;
import dev.cascade.router.processor.ReplyTopics;
import dev.cascade.router.processor.Routed;
import dev.cascade.router.processor.ShadowSampler;
import dev.cascade.router.policy.PolicyValidator;
import dev.cascade.router.tier.Tiers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The router's topology: queries in; answers (to the answers topic or a query's allowed {@code reply_to}), attempts
 * and dead letters out; one changelogged store of in-flight queries and one of answered queries kept for the
 * idempotency window (a window store: segments older than the window are dropped). A second sub-topology reports on
 * every record of the config topic. Every node and store is named.
 */
public final class RouterTopology {
    public static final String SOURCE = "queries-source";
    public static final String PROCESSOR = "cascade";
    /** Node and store names of the config-status sub-topology, and the fields of its status records. */
    public static final StatusProcessor.Names CONFIG_STATUS = new StatusProcessor.Names("config",
            SettingsStatus.CONFIG_KEY, SettingsStatus.CONFIG_EFFECTIVE);

    private RouterTopology() {
    }

    /** As {@link #build(RouterConfig, RouteTable, Tiers, RouterMetrics, ReplyTopics)}, every reply topic existing. */
    public static Topology build(RouterConfig config, RouteTable routes, Tiers tiers, RouterMetrics metrics) {
        return build(config, routes, tiers, metrics, ReplyTopics.assumeExisting());
    }

    /** @param replyTopics what the router knows of the {@code reply_to} topics queries name */
    public static Topology build(RouterConfig config, RouteTable routes, Tiers tiers, RouterMetrics metrics,
                                 ReplyTopics replyTopics) {
        QueryParser parser = new QueryParser(config.maxQueryBytes(), new ReplyRules(config.replyToAllow(),
                config.tenants().values().stream().map(t -> new ReplyRules.Tenant(t.name(), t.queries(),
                        t.replyToAllow())).toList()));
        List<String> queryTopics = new ArrayList<>();
        queryTopics.add(config.topics().queries());
        config.tenants().values().forEach(t -> queryTopics.add(t.queries()));
        ShadowSampler sampler = config.shadowKey() == null ? ShadowSampler.unkeyed()
                : ShadowSampler.keyed(config.shadowKey().bytes());
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                queryTopics.toArray(String[]::new));
        topology.addProcessor(PROCESSOR, () -> new CascadeProcessor(routes, tiers, parser, metrics,
                config.topics().answers(), config.punctuateInterval(), config.maxRecordBytes(), sampler, replyTopics,
                config.idempotencyWindow()), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(CascadeProcessor.STORE), Serdes.String(), JsonSerde.of(InFlight.class)),
                PROCESSOR);
        topology.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(CascadeProcessor.ANSWERED_STORE,
                CascadeProcessor.answeredRetention(config.idempotencyWindow()), Duration.ofMillis(1), false), Serdes.String(),
                JsonSerde.of(AnswerEvent.class)), PROCESSOR);
        TopicNameExtractor<byte[], Routed> answerTopic = (key, value, context) -> value.topic();
        Serializer<Routed> routedValue = (topic, routed) -> routed == null ? null : routed.value();
        topology.addSink(CascadeProcessor.SINK_ANSWERS, answerTopic, new ByteArraySerializer(), routedValue,
                PROCESSOR);
        topology.addSink(CascadeProcessor.SINK_ATTEMPTS, config.topics().attempts(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        topology.addSink(CascadeProcessor.SINK_DLQ, config.topics().dlq(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        topology.addSink(CascadeProcessor.SINK_SHADOW, config.topics().shadow(), new ByteArraySerializer(),
                new ByteArraySerializer(), PROCESSOR);
        addConfigStatus(topology, config, metrics);
        return topology;
    }

    /** Config topic in, one status record per config record out; the last good policy per route in a store. */
    private static void addConfigStatus(Topology topology, RouterConfig config, RouterMetrics metrics) {
        StatusProcessor.addTo(topology, config.topics().config(), config.topics().configStatus(),
                new PolicyValidator(config.policyParser()), CONFIG_STATUS, metrics::configRecord);
    }
}
