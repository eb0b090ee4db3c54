package dev.cascade.events;

/** What came of one model call (or of a call that was not made because the tier's breaker was open). */
public enum Outcome {
    /** Answered with confidence at or above the route's threshold (or a terminal tier answered). */
    ACCEPTED,
    /** Answered below the threshold; the query moved to the next tier. */
    ESCALATED,
    /** The call failed (transport error, HTTP error, unreadable response). */
    ERROR,
    /** The call did not finish within the tier's timeout. */
    TIMEOUT,
    /** The tier's circuit breaker was open: no call was made and nothing was spent. */
    SHORT_CIRCUITED,
    /** A sampled comparison call whose answer is not served. */
    SHADOW
}
