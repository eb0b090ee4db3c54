package dev.cascade.router.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * When a query's answer is due, as an absolute time (epoch milliseconds) kept in its in-flight entry, so it holds
 * across restarts and rebalances. Immutable.
 *
 * @param ms the deadline as given (by the query, else its route), relative to the query's record timestamp
 * @param at the absolute time it passes
 */
public record Deadline(@JsonProperty("ms") long ms, @JsonProperty("at") long at) {

    /**
     * The deadline of a query: its own {@code deadline_ms}, else its route's, counted from its record's timestamp
     * (from {@code now} when the timestamp is missing or lies in the future, so a skewed producer clock cannot lengthen
     * it); null when neither sets one.
     */
    static Deadline of(Long queryMs, Long routeMs, long recordTimestamp, long now) {
        Long ms = queryMs != null ? queryMs : routeMs;
        if (ms == null) {
            return null;
        }
        long start = recordTimestamp < 0 ? now : Math.min(recordTimestamp, now);
        return new Deadline(ms, start + ms);
    }

    boolean passed(long now) {
        return now >= at;
    }

    /** Time left at {@code now} (zero once passed). */
    Duration left(long now) {
        return Duration.ofMillis(Math.max(0, at - now));
    }
}
