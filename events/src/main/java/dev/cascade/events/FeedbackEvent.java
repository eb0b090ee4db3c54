package dev.cascade.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A quality judgement on {@code cascade.feedback}, keyed by query id: a verdict ({@code correct}) or a score in
 * [0, 1] for the answer served to the query.
 */
public record FeedbackEvent(@JsonProperty("query_id") String queryId,
                            @JsonProperty("correct") Boolean correct,
                            @JsonProperty("score") Double score) {

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
        return null;
    }

    /** The verdict: {@code correct}, or {@code score >= 0.5}; null when the record has neither. */
    public Boolean verdict() {
        if (correct != null) {
            return correct;
        }
        return score == null ? null : score >= 0.5;
    }
}
