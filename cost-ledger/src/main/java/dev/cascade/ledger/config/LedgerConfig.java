package dev.cascade.ledger.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cascade.ledger.pricing.TierPrice;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ledger's deployment config: Kafka settings, topics, HTTP port, window retention and per-tier pricing. Built
 * from a YAML file plus the environment ({@code KAFKA_X_Y} becomes {@code x.y}; {@code LEDGER_HTTP_PORT}); unknown
 * fields are errors; every problem is reported at once. Immutable.
 */
public record LedgerConfig(Map<String, String> kafka, Topics topics, int httpPort, String referenceTier,
                           Duration minuteRetention, Duration hourRetention, Duration dayRetention,
                           Map<String, TierPrice> pricing, String bearerToken) {

    /** Never prints the bearer token. */
    @Override
    public String toString() {
        return "LedgerConfig[kafka=" + kafka.keySet() + ", topics=" + topics + ", httpPort=" + httpPort
                + ", referenceTier=" + referenceTier + ", pricing=" + pricing.keySet() + ", bearerToken="
                + (bearerToken == null ? "none" : "set") + "]";
    }

    /** Topic names. */
    public record Topics(@JsonProperty("attempts") String attempts, @JsonProperty("answers") String answers,
                         @JsonProperty("feedback") String feedback,
                         @JsonProperty("unmatched_feedback") String unmatchedFeedback,
                         @JsonProperty("dlq") String dlq,
                         @JsonProperty("pricing") String pricing,
                         @JsonProperty("pricing_status") String pricingStatus) {
        public static Topics defaults() {
            return new Topics("cascade.attempts", "cascade.answers", "cascade.feedback", "cascade.feedback.unmatched",
                    "cascade.ledger.dlq", "cascade.pricing", "cascade.pricing.status");
        }

        /** Fills names the file left out with the defaults. */
        Topics withDefaults() {
            Topics d = defaults();
            return new Topics(or(attempts, d.attempts), or(answers, d.answers), or(feedback, d.feedback),
                    or(unmatchedFeedback, d.unmatchedFeedback), or(dlq, d.dlq), or(pricing, d.pricing),
                    or(pricingStatus, d.pricingStatus));
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
                @JsonProperty("pricing") Map<String, PriceFile> pricing,
                @JsonProperty("http_bearer_token_env") String bearerTokenEnv,
                @JsonProperty("http_bearer_token_file") String bearerTokenFile) {
    }

    /** One tier's pricing as written in the file. */
    public record PriceFile(@JsonProperty("kind") String kind,
                     @JsonProperty("input_usd_per_1m_tokens") BigDecimal input,
                     @JsonProperty("output_usd_per_1m_tokens") BigDecimal output,
                     @JsonProperty("gpu_hour_usd") BigDecimal gpuHour,
                     @JsonProperty("instances") Integer instances,
                     @JsonProperty("monthly_usd") BigDecimal monthly,
                     @JsonProperty("maintenance_monthly_usd") BigDecimal maintenance,
                     @JsonProperty("tuning_usd") BigDecimal tuning) {
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
                    pricing.put(tier, price(p));
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
                Duration.ofHours(ret.getOrDefault("day", 24L * 400)), pricing, token == null ? null : token.trim());
    }

    /** Validates one pricing entry (from the file or the pricing topic). */
    public static TierPrice price(PriceFile p) {
        BigDecimal in = nonNegative("input_usd_per_1m_tokens", p.input());
        BigDecimal out = nonNegative("output_usd_per_1m_tokens", p.output());
        String kind = p.kind() == null ? "" : p.kind();
        switch (kind) {
            case "api" -> {
                if (p.gpuHour() != null || p.monthly() != null || p.tuning() != null || p.maintenance() != null) {
                    throw new IllegalArgumentException("an api tier has only token prices");
                }
                return new TierPrice.Api(in, out);
            }
            case "self_hosted" -> {
                BigDecimal hosting;
                if (p.gpuHour() != null && p.monthly() == null) {
                    int instances = p.instances() == null ? 1 : p.instances();
                    if (instances < 1) {
                        throw new IllegalArgumentException("instances must be >= 1, got " + instances);
                    }
                    hosting = nonNegative("gpu_hour_usd", p.gpuHour()).multiply(BigDecimal.valueOf(instances))
                            .multiply(TierPrice.HOURS_PER_MONTH);
                } else if (p.monthly() != null && p.gpuHour() == null) {
                    hosting = nonNegative("monthly_usd", p.monthly());
                } else {
                    throw new IllegalArgumentException("a self_hosted tier needs exactly one of gpu_hour_usd "
                            + "(with instances) or monthly_usd; it is never priced as $0 by omission");
                }
                return new TierPrice.SelfHosted(hosting, nonNegative("maintenance_monthly_usd", p.maintenance()),
                        nonNegative("tuning_usd", p.tuning()), in, out);
            }
            default -> throw new IllegalArgumentException("kind must be api or self_hosted, got '" + kind + "'");
        }
    }

    private static BigDecimal nonNegative(String field, BigDecimal v) {
        if (v == null) {
            return BigDecimal.ZERO;
        }
        if (v.signum() < 0) {
            throw new IllegalArgumentException(field + " must be >= 0, got " + v);
        }
        return v;
    }
}
