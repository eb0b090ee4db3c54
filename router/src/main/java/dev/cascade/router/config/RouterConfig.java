package dev.cascade.router.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cascade.events.TopicNames;
import dev.cascade.core.PolicyParser;
import dev.cascade.core.RoutePolicy;
import dev.cascade.core.TierStep;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The router's deployment config: Kafka client settings, topics, tiers and the routes of the file (which apply
 * where the config topic has no policy for a route). Built from one
 * parsed document plus the environment (environment wins); immutable; every problem is reported at once.
 *
 * <p>Environment: every {@code KAFKA_X_Y} becomes Kafka setting {@code x.y}; {@code CASCADE_ADMIN_PORT};
 * {@code CASCADE_TIER_<NAME>_BASE_URL|MODEL|TIMEOUT_MS|MAX_IN_FLIGHT|MAX_WAITING}.
 */
public record RouterConfig(Map<String, String> kafka, TopicNames topics, int maxQueryBytes, List<String> replyToAllow,
                           int adminPort, Duration punctuateInterval, Map<String, TierConfig> tiers,
                           Map<String, RoutePolicy> routes, Duration idempotencyWindow) {
    /** Default time an answered query id is remembered: a retry within it gets the stored answer again. */
    public static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofHours(24);

    public RouterConfig {
        kafka = Map.copyOf(kafka);
        replyToAllow = List.copyOf(replyToAllow);
        tiers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
        routes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(routes));
    }

    /** Reads a YAML (or JSON) file and applies the environment. */
    public static RouterConfig load(Path file, Map<String, String> env) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        Map<String, Object> doc;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = yaml.readValue(file.toFile(), Map.class);
            doc = parsed == null ? Map.of() : parsed;
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
        }
        return from(doc, env, file.toString());
    }

    /** Builds the config from a parsed document; tests pass a map. */
    public static RouterConfig from(Map<String, Object> doc, Map<String, String> env, String source) {
        List<String> errors = new ArrayList<>();
        Fields root = Fields.root(doc, errors);

        Map<String, String> kafka = new TreeMap<>();
        kafka.put("application.id", "cascade-router");
        kafka.put("bootstrap.servers", "127.0.0.1:9092");
        kafka.put("processing.guarantee", "exactly_once_v2");
        root.entries("kafka").forEach((k, v) -> kafka.put(k, String.valueOf(v)));
        env.forEach((k, v) -> {
            if (k.startsWith("KAFKA_") && k.length() > 6) {
                kafka.put(k.substring(6).toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });

        TopicNames d = TopicNames.defaults();
        Fields t = root.object("topics");
        TopicNames topics = new TopicNames(t.string("queries", d.queries()), t.string("answers", d.answers()),
                t.string("attempts", d.attempts()), t.string("feedback", d.feedback()), t.string("config", d.config()),
                t.string("config_status", d.configStatus()), t.string("dlq", d.dlq()), t.string("shadow", d.shadow()));
        t.rejectUnknown();

        Fields r = root.object("router");
        int maxQueryBytes = (int) r.integer("max_query_bytes", 256 * 1024, 64, 64L * 1024 * 1024);
        List<String> allow = new ArrayList<>();
        List<Object> allowList = r.list("reply_to_allow");
        if (allowList.isEmpty() && !r.has("reply_to_allow")) {
            allow.add("cascade.answers.*");
        }
        allowList.forEach(o -> allow.add(String.valueOf(o)));
        int adminPort = (int) r.integer("admin_port", 8081, 0, 65_535);
        if (env.containsKey("CASCADE_ADMIN_PORT")) {
            adminPort = Integer.parseInt(env.get("CASCADE_ADMIN_PORT").trim());
        }
        Duration punctuate = Duration.ofMillis(r.integer("punctuate_ms", 10, 1, 10_000));
        Duration idempotencyWindow = Duration.ofMillis(r.integer("idempotency_window_ms",
                DEFAULT_IDEMPOTENCY_WINDOW.toMillis(), 0, Duration.ofDays(30).toMillis()));
        r.rejectUnknown();

        Map<String, TierConfig> tiers = new LinkedHashMap<>();
        root.entries("tiers").forEach((name, value) ->
                tiers.put(name, TierConfig.from(name, root.child("tiers." + name, value), env)));
        if (tiers.isEmpty()) {
            errors.add("tiers: at least one tier is required");
        }

        Map<String, RoutePolicy> routes = new LinkedHashMap<>();
        root.entries("routes").forEach((name, value) -> {
            RoutePolicy policy = parseRoute(name, root.child("routes." + name, value), errors);
            if (policy != null) {
                for (TierStep step : policy.tiers()) {
                    if (!tiers.containsKey(step.tier())) {
                        errors.add("routes." + name + ": unknown tier '" + step.tier() + "' (known: "
                                + tiers.keySet() + ")");
                    }
                }
                for (int i = 0; i < policy.tiers().size(); i++) {
                    String problem = PolicyParser.confidenceProblem(policy.step(i), policy.isTerminal(i),
                            withoutConfidence(tiers));
                    if (problem != null) {
                        errors.add("routes." + name + ": " + problem);
                    }
                }
                routes.put(name, policy);
            }
        });
        root.rejectUnknown();
        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors);
        }
        return new RouterConfig(kafka, topics, maxQueryBytes, allow, adminPort, punctuate, tiers, routes,
                idempotencyWindow);
    }

    private static RoutePolicy parseRoute(String name, Fields f, List<String> errors) {
        List<TierStep> steps = new ArrayList<>();
        List<Object> tierList = f.list("tiers");
        for (int i = 0; i < tierList.size(); i++) {
            Fields step = f.child("tiers[" + i + "]", tierList.get(i));
            String tier = step.requiredString("name");
            java.math.BigDecimal t = step.decimal("threshold", null);
            Double threshold = t == null ? null : t.doubleValue();
            step.rejectUnknown();
            if (tier == null) {
                return null;
            }
            try {
                steps.add(new TierStep(tier, threshold));
            } catch (IllegalArgumentException e) {
                errors.add("routes." + name + ": " + e.getMessage());
                return null;
            }
        }
        java.math.BigDecimal shadow = f.decimal("shadow_rate", null);
        long deadlineMs = f.integer("deadline_ms", 0, 1, RoutePolicy.MAX_DEADLINE_MS); // 0: none
        f.rejectUnknown();
        try {
            return new RoutePolicy(name, steps, shadow == null ? 0.0 : shadow.doubleValue(),
                    deadlineMs == 0 ? null : deadlineMs);
        } catch (IllegalArgumentException e) {
            errors.add("routes." + name + ": " + e.getMessage());
            return null;
        }
    }

    /** The rules routing policies on the config topic are checked against, for this deployment's tiers. */
    public PolicyParser policyParser() {
        return new PolicyParser(tiers.keySet(), withoutConfidence(tiers));
    }

    private static java.util.Set<String> withoutConfidence(Map<String, TierConfig> tiers) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        tiers.values().forEach(t -> {
            if (t.confidence() == dev.cascade.core.ConfidenceMethod.NONE) {
                out.add(t.name());
            }
        });
        return out;
    }

    /**
     * The largest record the router's producer may send ({@code producer.max.request.size}, else
     * {@code max.request.size}, else Kafka's default of 1 MiB): answers, shadow records and dead letters are kept
     * under it.
     */
    public int maxRecordBytes() {
        String v = kafka.getOrDefault("producer.max.request.size", kafka.get("max.request.size"));
        return v == null ? 1024 * 1024 : Integer.parseInt(v.trim());
    }

    /** Kafka settings as {@link java.util.Properties}-ready map, including Streams defaults the router relies on. */
    public Map<String, Object> streamsProperties() {
        Map<String, Object> props = new TreeMap<>();
        props.put("poll.ms", "10");
        props.put("commit.interval.ms", "100");
        props.put("producer.linger.ms", "5");
        props.put("processing.exception.handler.global.enabled", "true");
        props.putAll(kafka);
        return props;
    }
}
