package dev.cascade.ledger.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.events.AttemptEvent;
import dev.cascade.events.FeedbackEvent;
import dev.cascade.events.Outcome;
import dev.cascade.events.RouteTier;
import java.math.BigDecimal;

/**
 * One input to the per-tier aggregates, re-keyed by route and tier: a model attempt, or a feedback judgement joined
 * to the tier that answered. Written as JSON on the ledger's {@code by-route-tier} repartition topic.
 *
 * @param outcome   attempt outcome (ATTEMPT only)
 * @param correct   feedback verdict, null when the feedback is a score
 * @param score     feedback score in [0,1], null when the feedback is a verdict
 * @param timestamp event time in epoch milliseconds: when the attempt finished, or when the feedback was recorded
 */
public record LedgerEvent(@JsonProperty("kind") Kind kind,
                          @JsonProperty("route") String route,
                          @JsonProperty("tier") String tier,
                          @JsonProperty("outcome") Outcome outcome,
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

    /**
     * An attempt at its own time ({@code timestamp}) when that is not later than its record's time, else (and when it
     * carries none) at {@code recordTimestamp}. The record's time is what the broker accepted; an attempt cannot have
     * finished after it was written, so a field from the future can neither run the windows ahead nor overflow them.
     */
    public static LedgerEvent attempt(AttemptEvent a, long recordTimestamp) {
        return new LedgerEvent(Kind.ATTEMPT, a.route(), a.tier(), a.outcome(), a.promptTokens(),
                a.completionTokens(), a.latencyMs(), a.costUsd(), a.shadow(), null, null,
                a.timestamp() > 0 ? Math.min(a.timestamp(), recordTimestamp) : recordTimestamp);
    }

    /** Feedback on the answer {@code answeredBy} served, recorded at {@code timestamp}. */
    public static LedgerEvent feedback(RouteTier answeredBy, FeedbackEvent f, long timestamp) {
        return new LedgerEvent(Kind.FEEDBACK, answeredBy.route(), answeredBy.tier(), null, 0, 0, 0, null, false,
                f.correct(), f.score(), timestamp);
    }

    /** The aggregate key. */
    public RouteTier routeTier() {
        return new RouteTier(route, tier);
    }
}
