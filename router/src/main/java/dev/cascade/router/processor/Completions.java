package dev.cascade.router.processor;

import dev.cascade.core.CallResult;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.client.Redactor;
import dev.cascade.router.tier.Tier;
import dev.cascade.router.tier.TierResult;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The hand-off between model calls and the stream thread: {@link #call} starts a call and, whenever and however it
 * ends, queues its result; the punctuation drains the queues on the stream thread. A call that fails with an
 * exception instead of a result becomes an {@code ERROR} result, so no query waits for a completion that never
 * comes. Thread-safe: HTTP threads add, the stream thread drains.
 */
final class Completions {
    /** A served call's result: stale when the query has since been dispatched again. */
    record Served(String id, int dispatch, TierResult result) {
    }

    /** A shadow call's result, for the tier at {@code tierIndex} of the query's policy. */
    record Shadow(String id, int tierIndex, TierResult result) {
    }

    private static final int MAX_REASON = 300;

    private final Queue<Served> served = new ConcurrentLinkedQueue<>();
    private final Queue<Shadow> shadows = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /** Starts a served call, cut short after {@code untilDeadline} (null: the tier's own time-out only). */
    void call(Tier tier, ModelRequest request, String id, int dispatch, Duration untilDeadline) {
        start(tier, request, untilDeadline, result -> served.add(new Served(id, dispatch, result)));
    }

    void callShadow(Tier tier, ModelRequest request, String id, int tierIndex) {
        start(tier, request, null, result -> shadows.add(new Shadow(id, tierIndex, result)));
    }

    private void start(Tier tier, ModelRequest request, Duration untilDeadline, Consumer<TierResult> sink) {
        tier.call(request, untilDeadline).whenComplete((result, failure) -> {
            if (closed) {
                return;
            }
            sink.accept(failure == null && result != null ? result : new TierResult(CallResult.Kind.ERROR, null, 0,
                    BigDecimal.ZERO, "call to tier '" + tier.name() + "' failed: " + describe(failure)));
        });
    }

    private static String describe(Throwable failure) {
        if (failure == null) {
            return "no result";
        }
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
        String text = Redactor.patternsOnly().scrub(cause.getClass().getSimpleName() + message);
        return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "...";
    }

    void drainServed(Consumer<Served> handler) {
        Served c;
        while ((c = served.poll()) != null) {
            handler.accept(c);
        }
    }

    void drainShadows(Consumer<Shadow> handler) {
        Shadow c;
        while ((c = shadows.poll()) != null) {
            handler.accept(c);
        }
    }

    /** Drops whatever is queued and ignores calls that end later (the task is closing). */
    void close() {
        closed = true;
        served.clear();
        shadows.clear();
    }
}
