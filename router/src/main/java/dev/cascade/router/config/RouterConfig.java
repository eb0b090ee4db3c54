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
 * <p>Environment: every {@code KAFKA_X_Y} becomes Kafka setting {@code x.y}; {@code CASCADE_ADMIN_PORT},
 * {@code CASCADE_ADMIN_BIND}; {@code CASCADE_TIER_<NAME>_BASE_URL|MODEL|TIMEOUT_MS|MAX_IN_FLIGHT|MAX_TOKENS|MAX_WAITING}.
 *
 * @param shadowKey         the key of shadow sampling, read from the environment or file the config names; null when
 *                          none is named (each query is then drawn at random)
 * @param tenants           teams with queries topics of their own, whose reply topics only their own queries may name
 * @param idempotencyWindow how long an answered query id is remembered: a retry within it gets the stored answer again
 */
public record RouterConfig(Map<String, String> kafka, TopicNames topics, int maxQueryBytes, List<String> replyToAllow,
                           int adminPort, String adminBind, Duration punctuateInterval, Map<String, TierConfig> tiers,
                           Map<String, RoutePolicy> routes, ShadowKey shadowKey, Map<String, TenantConfig> tenants,
                           Duration idempotencyWindow) {
    /** Default time an answered query id is remembered: a retry within it gets the stored answer again. */
    public static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofHours(24);

    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("[A-Za-z0-9.:%_-]{1,253}");

    public RouterConfig {
        kafka = Map.copyOf(kafka);
        replyToAllow = List.copyOf(replyToAllow);
        tenants = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tenants));
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
        Integer maxRecord = maxRecordBytes(kafka, errors);
        if (maxRecord != null && maxQueryBytes > maxRecord / 3) {
            // the value, its headers (as large again, stored base64) and kept shadow answers share one changelog record
            errors.add("router.max_query_bytes: " + maxQueryBytes + " is over a third of the producer's "
                    + "max.request.size (" + maxRecord + "); raise max.request.size (and the topics' "
                    + "max.message.bytes) or lower max_query_bytes");
        }
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
        String adminBind = env.getOrDefault("CASCADE_ADMIN_BIND", r.string("admin_bind", "0.0.0.0")).trim();
        if (!ADDRESS.matcher(adminBind).matches()) {
            r.error("admin_bind", "must be an IP address or host name to listen on, got '" + adminBind + "'");
        }
        Duration punctuate = Duration.ofMillis(r.integer("punctuate_ms", 10, 1, 10_000));
        ShadowKey shadowKey = ShadowKey.from(r, env);
        Map<String, TenantConfig> tenants = TenantConfig.all(r, topics.queries());
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
            RoutePolicy policy = RouteFields.parse(name, root.child("routes." + name, value), errors);
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
        return new RouterConfig(kafka, topics, maxQueryBytes, allow, adminPort, adminBind, punctuate, tiers, routes,
                shadowKey, tenants, idempotencyWindow);
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
        Integer v = maxRecordBytes(kafka, new ArrayList<>());
        return v == null ? DEFAULT_MAX_REQUEST_SIZE : v;
    }

    private static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    private static Integer maxRecordBytes(Map<String, String> kafka, List<String> errors) {
        String name = kafka.containsKey("producer.max.request.size") ? "producer.max.request.size"
                : "max.request.size";
        String v = kafka.get(name);
        if (v == null) {
            return DEFAULT_MAX_REQUEST_SIZE;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1024) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add("kafka." + name + ": must be a whole number of bytes >= 1024, got '" + v + "'");
        return null;
    }

    /**
     * Settings for an admin client of the router's own: the Kafka settings an admin client knows (security ones
     * included), {@code admin.}-prefixed ones winning, and a client id of {@code application.id} plus {@code role}.
     */
    public Map<String, Object> adminProperties(String role) {
        java.util.Set<String> known = org.apache.kafka.clients.admin.AdminClientConfig.configNames();
        Map<String, Object> out = new TreeMap<>();
        kafka.forEach((k, v) -> {
            if (known.contains(k)) {
                out.put(k, v);
            }
        });
        kafka.forEach((k, v) -> {
            if (k.startsWith("admin.") && known.contains(k.substring(6))) {
                out.put(k.substring(6), v);
            }
        });
        out.put("client.id", kafka.get("application.id") + "-" + role);
        return out;
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
