package dev.cascade.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * One model call (or one short-circuited tier) as written to {@code cascade.attempts}, keyed by query id.
 *
 * @param confidence the tier's confidence in its answer, or null where the call produced none
 * @param threshold  the route's threshold for this tier, or null for a terminal tier
 * @param costUsd    exact variable cost of the call in US dollars; zero for {@link Outcome#SHORT_CIRCUITED}
 * @param timestamp  epoch milliseconds when the call finished
 */
public record AttemptEvent(
        @JsonProperty("query_id") String queryId,
        @JsonProperty("route") String route,
        @JsonProperty("tier") String tier,
        @JsonProperty("model") String model,
        @JsonProperty("outcome") Outcome outcome,
        @JsonProperty("confidence") Double confidence,
        @JsonProperty("threshold") Double threshold,
        @JsonProperty("prompt_tokens") long promptTokens,
        @JsonProperty("completion_tokens") long completionTokens,
        @JsonProperty("latency_ms") long latencyMs,
        @JsonProperty("cost_usd") BigDecimal costUsd,
        @JsonProperty("shadow") boolean shadow,
        @JsonProperty("timestamp") long timestamp,
        @JsonProperty("error") String error) {
}
