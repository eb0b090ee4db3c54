package dev.cascade.router.model;

/** Either a valid {@link Query} or the reason the input is refused. */
public sealed interface ParseResult {
    /** A valid query. */
    record Valid(Query query) implements ParseResult {
    }

    /** A refused input, with a human-readable detail (never echoing the whole input). */
    record Rejected(RejectReason reason, String detail) implements ParseResult {
    }
}
