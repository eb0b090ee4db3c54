package dev.cascade.gateway.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cascade.events.TopicNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The gateway's settings, immutable. Read in one documented order: defaults, then the YAML file (optional), then the
 * environment; every problem is reported at once.
 *
 * <p>Environment: every {@code KAFKA_X_Y} becomes Kafka client setting {@code x.y}; {@code GATEWAY_HTTP_HOST},
 * {@code GATEWAY_HTTP_PORT}, {@code GATEWAY_INSTANCE}, {@code GATEWAY_KEYS_FILE}, {@code GATEWAY_API_KEYS}
 * ({@code tenant=key,...}; a secret, never logged) and {@code GATEWAY_ALLOW_ANY_KEY}.
 *
 * @param instance        this instance's name; its answers arrive on {@code replyTopicPrefix + instance}
 * @param dlqTopic        the router's dead-letter topic, read for refusals of this instance's queries
 * @param routes          the routes offered as models (the model name of a route is the route's name)
 * @param defaultDeadlineMs how long a request waits when the client states no timeout
 * @param maxDeadlineMs   the longest wait any client may ask for
 * @param sendDeadline    whether queries carry {@code deadline_ms} (a router that predates deadlines refuses it)
 * @param keysFile        file of {@code tenant key} lines (a key may be given as {@code sha256:<hex>}); may be null
 * @param envKeys         {@code tenant=key,...} from the environment; may be null
 * @param allowAnyKey     accept any non-empty bearer key as tenant {@code anyKeyTenant} (local use only)
 */
public record GatewayConfig(Map<String, String> kafka, String httpHost, int httpPort, String instance,
                            String queriesTopic, String replyTopicPrefix, String dlqTopic, List<String> routes,
                            long defaultDeadlineMs, long maxDeadlineMs, boolean sendDeadline, int maxBodyBytes,
                            int maxQueryBytes, Path keysFile, String envKeys, boolean allowAnyKey,
                            String anyKeyTenant) {
    /** The environment variables read besides {@code KAFKA_*}. */
    public static final Set<String> ENV = Set.of("GATEWAY_HTTP_HOST", "GATEWAY_HTTP_PORT", "GATEWAY_INSTANCE",
            "GATEWAY_KEYS_FILE", "GATEWAY_API_KEYS", "GATEWAY_ALLOW_ANY_KEY");
    public static final String DEFAULT_REPLY_PREFIX = TopicNames.ANSWERS + ".gateway-";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1,100}");
    private static final Set<String> KEYS = Set.of("kafka", "http_host", "http_port", "instance", "queries_topic",
            "reply_topic_prefix", "dlq_topic", "routes", "default_deadline_ms", "max_deadline_ms",
            "send_deadline_ms", "max_body_bytes", "max_query_bytes", "keys_file", "allow_any_key", "any_key_tenant");

    public GatewayConfig {
        kafka = Map.copyOf(kafka);
        routes = List.copyOf(routes);
    }

    /** Never shows the keys from the environment. */
    @Override
    public String toString() {
        return "GatewayConfig[http=" + httpHost + ":" + httpPort + ", instance=" + instance + ", queries="
                + queriesTopic + ", reply=" + replyTopic() + ", routes=" + routes + ", keysFile=" + keysFile
                + ", envKeys=" + (envKeys == null ? "none" : "(set)") + ", allowAnyKey=" + allowAnyKey + "]";
    }

    /** The topic this instance reads its answers from (must match the router's {@code reply_to_allow}). */
    public String replyTopic() {
        return replyTopicPrefix + instance;
    }

    /** Reads a YAML file (null for none) and applies the environment. */
    public static GatewayConfig load(Path file, Map<String, String> env) {
        Map<String, Object> doc = Map.of();
        if (file != null) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> parsed = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Map.class);
                doc = parsed == null ? Map.of() : parsed;
            } catch (IOException e) {
                throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
            }
        }
        return from(doc, env, file == null ? "the environment" : file.toString());
    }

    /** Builds the config from a parsed document and an environment; tests pass maps. */
    public static GatewayConfig from(Map<String, Object> doc, Map<String, String> env, String source) {
        List<String> errors = new ArrayList<>();
        Map<String, Object> d = new LinkedHashMap<>(doc);
        env.forEach((k, v) -> {
            switch (k) {
                case "GATEWAY_HTTP_HOST" -> d.put("http_host", v);
                case "GATEWAY_HTTP_PORT" -> d.put("http_port", v);
                case "GATEWAY_INSTANCE" -> d.put("instance", v);
                case "GATEWAY_KEYS_FILE" -> d.put("keys_file", v);
                case "GATEWAY_ALLOW_ANY_KEY" -> d.put("allow_any_key", v);
                default -> { }
            }
        });
        d.keySet().stream().filter(k -> !KEYS.contains(k)).sorted()
                .forEach(k -> errors.add(k + ": unknown setting"));
        Map<String, String> kafka = new TreeMap<>();
        kafka.put("bootstrap.servers", "127.0.0.1:9092");
        if (d.get("kafka") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> kafka.put(String.valueOf(k), String.valueOf(v)));
        } else if (d.get("kafka") != null) {
            errors.add("kafka: must be a map of Kafka client settings");
        }
        env.forEach((k, v) -> {
            if (k.startsWith("KAFKA_") && k.length() > 6) {
                kafka.put(k.substring(6).toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        String host = text(d, "http_host", "0.0.0.0", errors);
        int port = (int) number(d, "http_port", 8080, 0, 65_535, errors);
        String instance = name(d, "instance", defaultInstance(), errors);
        String queries = name(d, "queries_topic", TopicNames.QUERIES, errors);
        String prefix = text(d, "reply_topic_prefix", DEFAULT_REPLY_PREFIX, errors);
        String dlq = name(d, "dlq_topic", TopicNames.DLQ, errors);
        if (!NAME.matcher(prefix + instance).matches()) {
            errors.add("reply_topic_prefix: '" + prefix + "' + instance is not a valid topic name");
        }
        List<String> routes = new ArrayList<>();
        Object r = d.getOrDefault("routes", List.of("default"));
        if (r instanceof List<?> list && !list.isEmpty()) {
            list.forEach(o -> routes.add(String.valueOf(o)));
        } else {
            errors.add("routes: must be a non-empty list of route names, got " + r);
        }
        long defaultDeadline = number(d, "default_deadline_ms", 60_000, 1, 86_400_000, errors);
        long maxDeadline = number(d, "max_deadline_ms", 600_000, 1, 86_400_000, errors);
        if (defaultDeadline > maxDeadline) {
            errors.add("default_deadline_ms: must not exceed max_deadline_ms (" + maxDeadline + "), got "
                    + defaultDeadline);
        }
        boolean sendDeadline = bool(d, "send_deadline_ms", true, errors);
        int maxBody = (int) number(d, "max_body_bytes", 1 << 20, 1024, 64L << 20, errors);
        int maxQuery = (int) number(d, "max_query_bytes", 256 * 1024, 64, 64L << 20, errors);
        String keysFile = text(d, "keys_file", null, errors);
        boolean anyKey = bool(d, "allow_any_key", false, errors);
        String anyTenant = name(d, "any_key_tenant", "local", errors);
        String envKeys = env.get("GATEWAY_API_KEYS");
        if (!anyKey && keysFile == null && (envKeys == null || envKeys.isBlank())) {
            errors.add("auth: no API keys: set keys_file (GATEWAY_KEYS_FILE) or GATEWAY_API_KEYS, "
                    + "or allow_any_key for local use");
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors);
        }
        return new GatewayConfig(kafka, host, port, instance, queries, prefix, dlq, routes, defaultDeadline,
                maxDeadline, sendDeadline, maxBody, maxQuery, keysFile == null ? null : Path.of(keysFile), envKeys,
                anyKey, anyTenant);
    }

    private static String defaultInstance() {
        String host = System.getenv().getOrDefault("HOSTNAME", "");
        return NAME.matcher(host).matches() ? host : "gw-" + Long.toString(System.nanoTime() & 0xffffffL, 36);
    }

    private static String text(Map<String, Object> d, String key, String fallback, List<String> errors) {
        Object v = d.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map || v instanceof List || v.toString().isBlank()) {
            errors.add(key + ": must be a non-empty string, got " + v);
            return fallback;
        }
        return v.toString().trim();
    }

    private static String name(Map<String, Object> d, String key, String fallback, List<String> errors) {
        String v = text(d, key, fallback, errors);
        if (v != null && !NAME.matcher(v).matches()) {
            errors.add(key + ": must be 1-100 of [a-zA-Z0-9._-], got '" + v + "'");
            return fallback;
        }
        return v;
    }

    private static long number(Map<String, Object> d, String key, long fallback, long min, long max,
                               List<String> errors) {
        Object v = d.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.toString().trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(key + ": must be an integer in [" + min + ", " + max + "], got '" + v + "'");
        return fallback;
    }

    private static boolean bool(Map<String, Object> d, String key, boolean fallback, List<String> errors) {
        Object v = d.get(key);
        if (v == null) {
            return fallback;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        errors.add(key + ": must be true or false, got '" + v + "'");
        return fallback;
    }
}
