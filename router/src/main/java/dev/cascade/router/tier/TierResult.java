package dev.cascade.router.tier;

import dev.cascade.core.CallResult;
import dev.cascade.router.client.ModelReply;
import java.math.BigDecimal;

/**
 * How one tier call ended, with what it cost. Never represents an exception: failures are data.
 *
 * @param reply   the answer, null unless {@code kind} is ANSWERED
 * @param costUsd exact variable cost of the call (zero when nothing was billed)
 * @param error   why the call failed, null when answered
 * @param cutAtDeadline true for a TIMEOUT that ended the call at the query's deadline (before the tier's time-out)
 */
public record TierResult(CallResult.Kind kind, ModelReply reply, long latencyMs, BigDecimal costUsd, String error,
                         boolean cutAtDeadline) {

    public TierResult(CallResult.Kind kind, ModelReply reply, long latencyMs, BigDecimal costUsd, String error) {
        this(kind, reply, latencyMs, costUsd, error, false);
    }

    /** A tier passed over without a call (breaker open, no room, not configured): nothing spent. */
    public static TierResult skipped(CallResult.Kind kind, String reason) {
        return new TierResult(kind, null, 0, BigDecimal.ZERO, reason);
    }

    public CallResult asCallResult() {
        return kind == CallResult.Kind.ANSWERED ? CallResult.answered(reply.confidence()) : CallResult.failed(kind);
    }

    public long promptTokens() {
        return reply == null ? 0 : reply.promptTokens();
    }

    public long completionTokens() {
        return reply == null ? 0 : reply.completionTokens();
    }
}
