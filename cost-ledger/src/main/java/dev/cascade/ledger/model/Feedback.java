package dev.cascade.ledger.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A quality judgement from {@code cascade.feedback}: a verdict ({@code correct}) or a score in [0,1].
 */
public record Feedback(@JsonProperty("query_id") String queryId, @JsonProperty("correct") Boolean correct,
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
}
