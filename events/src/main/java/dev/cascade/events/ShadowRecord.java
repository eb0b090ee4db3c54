package dev.cascade.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One shadow-sampled query on {@code cascade.shadow}, keyed by query id: every tier's answer to the same query, the
 * served one and those of the shadow calls after it. The source of {@code cascadectl export-outcomes} and of paired
 * quality estimates.
 *
 * @param tiers      the route's tiers in policy order
 * @param servedTier the tier whose answer was served (null if none was)
 * @param outcomes   by tier name, in the order the answers arrived; a tier that failed or was skipped is absent
 */
public record ShadowRecord(@JsonProperty("id") String id,
                           @JsonProperty("route") String route,
                           @JsonProperty("messages") List<ChatMessage> messages,
                           @JsonProperty("tiers") List<String> tiers,
                           @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("served_tier") String servedTier,
                           @JsonProperty("timestamp") long timestamp,
                           @JsonProperty("outcomes") Map<String, TierAnswer> outcomes) {

    public ShadowRecord {
        messages = messages == null ? List.of() : List.copyOf(messages);
        tiers = tiers == null ? List.of() : List.copyOf(tiers);
        outcomes = outcomes == null ? Map.of() : new LinkedHashMap<>(outcomes);
    }

    @Override
    public Map<String, TierAnswer> outcomes() {
        return java.util.Collections.unmodifiableMap(outcomes);
    }

    /** Whether every tier of the route answered (what a calibrator needs). */
    public boolean complete() {
        return !tiers.isEmpty() && outcomes.keySet().containsAll(tiers);
    }

    /** One tier's answer to the sampled query. */
    public record TierAnswer(@JsonProperty("model") String model,
                             @JsonProperty("answer") String answer,
                             @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("confidence") Double confidence,
                             @JsonProperty("prompt_tokens") long promptTokens,
                             @JsonProperty("completion_tokens") long completionTokens,
                             @JsonProperty("latency_ms") long latencyMs,
                             @JsonProperty("cost_usd") BigDecimal costUsd,
                             @JsonProperty("served") boolean served) {
    }
}
