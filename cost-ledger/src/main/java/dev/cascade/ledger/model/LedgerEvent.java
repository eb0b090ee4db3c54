package dev.cascade.ledger.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * One input to the per-tier aggregates, re-keyed by route and tier: a model attempt, or a feedback judgement joined
 * to the tier that answered.
 *
 * @param outcome attempt outcome (ATTEMPT only)
 * @param correct feedback verdict, null when the feedback is a score
 * @param score   feedback score in [0,1], null when the feedback is a verdict
 */
public record LedgerEvent(@JsonProperty("kind") Kind kind,
                          @JsonProperty("route") String route,
                          @JsonProperty("tier") String tier,
                          @JsonProperty("outcome") String outcome,
                          @JsonProperty("prompt_tokens") long promptTokens,
                          @JsonProperty("completion_tokens") long completionTokens,
                          @JsonProperty("latency_ms") long latencyMs,
                          @JsonProperty("cost_usd") BigDecimal costUsd,
                          @JsonProperty("shadow") boolean shadow,
                          @JsonProperty("correct") Boolean correct,
                          @JsonProperty("score") Double score,
                          @JsonProperty("timestamp") long timestamp) {

    /** What the event records. */
    public enum Kind { ATTEMPT, FEEDBACK }

    /** The aggregate key: route and tier. */
    public static String key(String route, String tier) {
        return route + "|" + tier;
    }
}
