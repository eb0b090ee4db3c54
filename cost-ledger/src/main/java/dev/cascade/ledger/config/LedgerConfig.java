package dev.cascade.ledger.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cascade.events.PricingRecord;
import dev.cascade.events.TopicNames;
import dev.cascade.ledger.pricing.PriceRecords;
import dev.cascade.ledger.pricing.TierPrice;
import dev.cascade.ledger.quality.QualityTarget;
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
 * The ledger's deployment config: Kafka settings, topics, HTTP port, window retention, per-tier pricing and the
 * quality targets of routes defined only in the router's file (routes on the config topic carry their own). Built
 * from a YAML file plus the environment ({@code KAFKA_X_Y} becomes {@code x.y}; {@code LEDGER_HTTP_PORT}); unknown
 * fields are errors; every problem is reported at once. Immutable.
 */
public record LedgerConfig(Map<String, String> kafka, Topics topics, int httpPort, String referenceTier,
                           Duration minuteRetention, Duration hourRetention, Duration dayRetention,
                           Map<String, TierPrice> pricing, String bearerToken,
                           Map<String, QualityTarget> qualityTargets) {

    public LedgerConfig {
        qualityTargets = Map.copyOf(qualityTargets);
    }

    /** A config without quality targets of its own. */
    public LedgerConfig(Map<String, String> kafka, Topics topics, int httpPort, String referenceTier,
                        Duration minuteRetention, Duration hourRetention, Duration dayRetention,
                        Map<String, TierPrice> pricing, String bearerToken) {
        this(kafka, topics, httpPort, referenceTier, minuteRetention, hourRetention, dayRetention, pricing,
                bearerToken, Map.of());
    }


    /** The producer's record limit ({@code producer.max.request.size}, else {@code max.request.size}, else 1 MiB). */
    public int maxRecordBytes() {
        String v = kafka.getOrDefault("producer.max.request.size", kafka.get("max.request.size"));
        try {
            return v == null ? 1024 * 1024 : Math.max(1024, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kafka max.request.size must be a whole number of bytes, got '" + v
                    + "'", e);
        }
    }

    /** Never prints the bearer token. */
    @Override
    public String toString() {
        return "LedgerConfig[kafka=" + kafka.keySet() + ", topics=" + topics + ", httpPort=" + httpPort
                + ", referenceTier=" + referenceTier + ", pricing=" + pricing.keySet() + ", bearerToken="
                + (bearerToken == null ? "none" : "set") + "]";
    }

    /** Topic names; the defaults are the contract's ({@link TopicNames}). */
    public record Topics(@JsonProperty("attempts") String attempts, @JsonProperty("answers") String answers,
                         @JsonProperty("feedback") String feedback,
                         @JsonProperty("unmatched_feedback") String unmatchedFeedback,
                         @JsonProperty("dlq") String dlq,
                         @JsonProperty("pricing") String pricing,
                         @JsonProperty("pricing_status") String pricingStatus,
                         @JsonProperty("shadow") String shadow,
                         @JsonProperty("config") String config) {
        public static Topics defaults() {
            return new Topics(TopicNames.ATTEMPTS, TopicNames.ANSWERS, TopicNames.FEEDBACK,
                    TopicNames.FEEDBACK_UNMATCHED, TopicNames.LEDGER_DLQ, TopicNames.PRICING, TopicNames.PRICING_STATUS,
                    TopicNames.SHADOW, TopicNames.CONFIG);
        }

        /** Fills names the file left out with the defaults. */
        Topics withDefaults() {
            Topics d = defaults();
            return new Topics(or(attempts, d.attempts), or(answers, d.answers), or(feedback, d.feedback),
                    or(unmatchedFeedback, d.unmatchedFeedback), or(dlq, d.dlq), or(pricing, d.pricing),
                    or(pricingStatus, d.pricingStatus), or(shadow, d.shadow), or(config, d.config));
        }

        private static String or(String v, String fallback) {
            return v == null ? fallback : v;
        }
    }

    /** The file's shape; field names as in the YAML. */
    record File(@JsonProperty("kafka") Map<String, String> kafka,
                @JsonProperty("topics") Topics topics,
                @JsonProperty("http_port") Integer httpPort,
                @JsonProperty("reference_tier") String referenceTier,
                @JsonProperty("retention_hours") Map<String, Long> retentionHours,
                @JsonProperty("pricing") Map<String, PricingRecord> pricing,
                @JsonProperty("http_bearer_token_env") String bearerTokenEnv,
                @JsonProperty("http_bearer_token_file") String bearerTokenFile,
                @JsonProperty("quality_targets") Map<String, QualityTarget> qualityTargets) {
    }

    public static LedgerConfig load(Path path, Map<String, String> env) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        File file;
        try {
            file = yaml.readValue(path.toFile(), File.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid ledger config " + path + ": "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
        return from(file, env, path.toString());
    }

    static LedgerConfig from(File f, Map<String, String> env, String source) {
        List<String> errors = new ArrayList<>();
        Map<String, String> kafka = new TreeMap<>();
        kafka.put("application.id", "cost-ledger");
        kafka.put("bootstrap.servers", "127.0.0.1:9092");
        kafka.put("processing.guarantee", "exactly_once_v2");
        if (f.kafka() != null) {
            kafka.putAll(f.kafka());
        }
        env.forEach((k, v) -> {
            if (k.startsWith("KAFKA_") && k.length() > 6) {
                kafka.put(k.substring(6).toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        int port = f.httpPort() == null ? 8082 : f.httpPort();
        if (env.containsKey("LEDGER_HTTP_PORT")) {
            port = Integer.parseInt(env.get("LEDGER_HTTP_PORT").trim());
        }
        kafka.putIfAbsent("application.server", "127.0.0.1:" + port);
        Map<String, Long> ret = f.retentionHours() == null ? Map.of() : f.retentionHours();
        for (String k : ret.keySet()) {
            if (!List.of("minute", "hour", "day").contains(k)) {
                errors.add("retention_hours." + k + ": unknown window (minute, hour, day)");
            }
        }
        Map<String, TierPrice> pricing = new LinkedHashMap<>();
        if (f.pricing() != null) {
            f.pricing().forEach((tier, p) -> {
                try {
                    pricing.put(tier, PriceRecords.toPrice(p));
                } catch (IllegalArgumentException e) {
                    errors.add("pricing." + tier + ": " + e.getMessage());
                }
            });
        }
        String reference = f.referenceTier() == null ? "general" : f.referenceTier();
        if (!(pricing.get(reference) instanceof TierPrice.Api)) {
            errors.add("reference_tier: '" + reference + "' must have api pricing (the general API the verdict "
                    + "compares against)");
        }
        Map<String, QualityTarget> targets = f.qualityTargets() == null ? Map.of() : f.qualityTargets();
        targets.forEach((route, t) -> {
            if (t == null || t.targetQuality() == null || !(t.targetQuality() > 0 && t.targetQuality() <= 1)) {
                errors.add("quality_targets." + route + ".target_quality: must be a number in (0, 1], got "
                        + (t == null ? null : t.targetQuality()));
            }
            if (t != null && t.reference() != null && t.reference().isBlank()) {
                errors.add("quality_targets." + route + ".reference: must be a tier name");
            }
        });
        String token = null;
        if (f.bearerTokenEnv() != null && f.bearerTokenFile() != null) {
            errors.add("http_bearer_token_env and http_bearer_token_file: give one, not both");
        } else if (f.bearerTokenEnv() != null) {
            token = env.get(f.bearerTokenEnv());
            if (token == null || token.isBlank()) {
                errors.add("http_bearer_token_env: environment variable " + f.bearerTokenEnv() + " is not set");
            }
        } else if (f.bearerTokenFile() != null) {
            try {
                token = java.nio.file.Files.readString(Path.of(f.bearerTokenFile())).trim();
            } catch (IOException e) {
                errors.add("http_bearer_token_file: cannot read " + f.bearerTokenFile());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid ledger config " + source + ":\n  - "
                    + String.join("\n  - ", errors));
        }
        return new LedgerConfig(kafka, f.topics() == null ? Topics.defaults() : f.topics().withDefaults(), port, reference,
                Duration.ofHours(ret.getOrDefault("minute", 48L)), Duration.ofHours(ret.getOrDefault("hour", 24L * 35)),
                Duration.ofHours(ret.getOrDefault("day", 24L * 400)), pricing, token == null ? null : token.trim(),
                targets);
    }
}
