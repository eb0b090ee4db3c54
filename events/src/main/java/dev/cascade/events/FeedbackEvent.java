package dev.cascade.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A quality judgement on {@code cascade.feedback}, keyed by query id: a verdict ({@code correct}) or a score in
 * [0, 1]. Without {@code tier} it judges the answer served to the query. With {@code tier} it judges that tier's
 * answer in the query's shadow record (every tier's answer to a shadow-sampled query), which is what makes paired
 * quality estimates possible: the served answer and the reference's, judged on the same query.
 */
public record FeedbackEvent(@JsonProperty("query_id") String queryId,
                            @JsonProperty("correct") Boolean correct,
                            @JsonProperty("score") Double score,
                            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("tier") String tier) {

    /** Feedback on the served answer. */
    public FeedbackEvent(String queryId, Boolean correct, Double score) {
        this(queryId, correct, score, null);
    }

    /** Why this feedback cannot be used, or null when it is valid. */
    public String problem() {
        if (queryId == null || queryId.isBlank()) {
            return "feedback needs a query_id";
        }
        if ((correct == null) == (score == null)) {
            return "feedback needs exactly one of correct (true/false) or score (0..1)";
        }
        if (score != null && !(score >= 0 && score <= 1)) {
            return "score must be in [0, 1], got " + score;
        }
        if (tier != null && (tier.isBlank() || tier.indexOf(RouteTier.SEPARATOR) >= 0)) {
            return "tier must be a tier name (not blank, no '" + RouteTier.SEPARATOR + "'), got '" + tier + "'";
        }
        return null;
    }

    /** The verdict: {@code correct}, or {@code score >= 0.5}; null when the record has neither. */
    public Boolean verdict() {
        if (correct != null) {
            return correct;
        }
        return score == null ? null : score >= 0.5;
    }

    /** Whether this judges the served answer (no {@code tier}), as per-tier accuracy counts it. */
    public boolean judgesServedAnswer() {
        return tier == null;
    }
}
