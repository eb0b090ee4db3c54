package dev.cascade.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.List;

/**
 * The one answer to a query, as written to {@code cascade.answers} (or the query's {@code reply_to} topic).
 *
 * @param status   {@code ANSWERED} or {@code FAILED}
 * @param tier     the tier whose answer is served; null when FAILED
 * @param costUsd  exact sum of the variable cost of every attempt made for this query
 * @param latencyMs wall time from the router accepting the query to the answer
 * @param error    why the query failed; null when ANSWERED
 */
public record AnswerEvent(
        @JsonProperty("id") String id,
        @JsonProperty("route") String route,
        @JsonProperty("status") Status status,
        @JsonProperty("tier") String tier,
        @JsonProperty("model") String model,
        @JsonProperty("content") String content,
        @JsonProperty("confidence") Double confidence,
        @JsonProperty("cost_usd") BigDecimal costUsd,
        @JsonProperty("latency_ms") long latencyMs,
        @JsonProperty("attempts") List<AttemptSummary> attempts,
        @JsonProperty("error") String error,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) @JsonProperty("replayed") boolean replayed) {

    /** A first (not replayed) answer. */
    public AnswerEvent(String id, String route, Status status, String tier, String model, String content,
                       Double confidence, BigDecimal costUsd, long latencyMs, List<AttemptSummary> attempts,
                       String error) {
        this(id, route, status, tier, model, content, confidence, costUsd, latencyMs, attempts, error, false);
    }

    /** This answer, marked as sent again for a retried query id. */
    public AnswerEvent asReplayed() {
        return new AnswerEvent(id, route, status, tier, model, content, confidence, costUsd, latencyMs, attempts, error,
                true);
    }

    /** Final status of a query. */
    public enum Status { ANSWERED, FAILED }

    /** One attempt as summarised on the answer. */
    public record AttemptSummary(
            @JsonProperty("tier") String tier,
            @JsonProperty("outcome") Outcome outcome,
            @JsonProperty("confidence") Double confidence,
            @JsonProperty("latency_ms") long latencyMs,
            @JsonProperty("cost_usd") BigDecimal costUsd) {
    }
}
