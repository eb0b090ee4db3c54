package dev.cascade.core;

/**
 * What a tier call produced, as the cascade sees it.
 *
 * @param kind       how the call ended
 * @param confidence the answer's confidence, null where none was measured (or the call failed)
 */
public record CallResult(Kind kind, Double confidence) {
    /** How a tier call ended. */
    public enum Kind { ANSWERED, ERROR, TIMEOUT, SHORT_CIRCUITED }

    public static CallResult answered(Double confidence) {
        return new CallResult(Kind.ANSWERED, confidence);
    }

    public static CallResult failed(Kind kind) {
        if (kind == Kind.ANSWERED) {
            throw new IllegalArgumentException("a failed call cannot be ANSWERED");
        }
        return new CallResult(kind, null);
    }
}
