package dev.cascade.router.tier;

import dev.cascade.core.CallResult;
import dev.cascade.router.client.ModelCallException;
import dev.cascade.router.client.ModelClient;
import dev.cascade.router.client.ModelReply;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.client.Redactor;
import dev.cascade.router.config.TierConfig;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.math.BigDecimal;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model tier at run time: its client guarded by a circuit breaker, a bulkhead (bounded calls in flight) and a hard
 * time-out. Callers first {@link #tryAcquire()} and, when permitted, {@link #call(ModelRequest)}; an open breaker and
 * a full bulkhead are answers, not exceptions. Beside the bulkhead the tier keeps count of the queries waiting for
 * one of its slots, up to {@code max_waiting} ({@link #tryWait()}), across every task of the instance. Latency is read
 * from the {@link Clock} handed in (the breaker's too), so tests move time instead of waiting. Thread-safe.
 */
public final class Tier {
    /** The answer of {@link #tryAcquire()}. */
    public enum Permit { PERMITTED, SHORT_CIRCUITED, FULL }

    private final TierConfig config;
    private final ModelClient client;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final Clock clock;
    private final AtomicInteger waiting = new AtomicInteger();

    public Tier(TierConfig config, ModelClient client, CircuitBreaker breaker, Bulkhead bulkhead, Clock clock) {
        this.config = config;
        this.client = client;
        this.breaker = breaker;
        this.bulkhead = bulkhead;
        this.clock = clock;
    }

    public String name() {
        return config.name();
    }

    public TierConfig config() {
        return config;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public Bulkhead bulkhead() {
        return bulkhead;
    }

    /** True when a call slot is free right now (a hint; {@link #tryAcquire()} decides). */
    public boolean hasCapacity() {
        return bulkhead.getMetrics().getAvailableConcurrentCalls() > 0;
    }

    /**
     * Asks for a call slot without waiting. The breaker is asked first (so an open tier short-circuits even when
     * its bulkhead is full); a breaker permission is given back when the bulkhead has no room.
     */
    public Permit tryAcquire() {
        if (!breaker.tryAcquirePermission()) {
            return Permit.SHORT_CIRCUITED;
        }
        if (!bulkhead.tryAcquirePermission()) {
            breaker.releasePermission();
            return Permit.FULL;
        }
        return Permit.PERMITTED;
    }

    /** Takes a place among the queries waiting for a slot of this tier; false when all {@code max_waiting} are taken. */
    public boolean tryWait() {
        int now;
        do {
            now = waiting.get();
            if (now >= config.maxWaiting()) {
                return false;
            }
        } while (!waiting.compareAndSet(now, now + 1));
        return true;
    }

    /** Gives back a place taken with {@link #tryWait()}. */
    public void stopWaiting() {
        waiting.decrementAndGet();
    }

    /** Queries of this instance waiting for a slot of this tier. */
    public int waiting() {
        return waiting.get();
    }

    /** As {@link #call(ModelRequest, Duration)} with no deadline: the tier's own time-out applies. */
    public CompletableFuture<TierResult> call(ModelRequest request) {
        return call(request, null);
    }

    /**
     * Makes the call; only after {@link #tryAcquire()} returned PERMITTED. The request's {@code max_tokens} is held to
     * the tier's {@code max_tokens} cap. The future never completes exceptionally:
     * errors, time-outs and replies that cannot be billed (invalid usage) are {@link TierResult}s, and so is any
     * failure of the client or of this code. The slot is released exactly once and the breaker told when the call
     * ends; at the time-out the client's call is abandoned, which cancels its exchange.
     *
     * @param untilDeadline time left before the query's deadline, null for none; when shorter than the tier's time-out
     *                      the call is cut short then: a TIMEOUT that says so, which the breaker does not count against
     *                      the tier (it did not fail within its own time-out)
     */
    public CompletableFuture<TierResult> call(ModelRequest request, Duration untilDeadline) {
        Instant start = clock.instant();
        AtomicBoolean released = new AtomicBoolean();
        long limitMs = config.timeout().toMillis();
        boolean cut = untilDeadline != null && untilDeadline.toMillis() < limitMs;
        long timeoutMs = cut ? Math.max(1, untilDeadline.toMillis()) : limitMs;
        CompletableFuture<TierResult> result;
        try {
            result = client.complete(capped(request))
                    .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                    .handle((reply, failure) -> finish(start, released, reply, failure, cut));
        } catch (RuntimeException e) {
            result = CompletableFuture.completedFuture(finish(start, released, null, e, cut));
        }
        return result.exceptionally(e -> finish(start, released, null, e, cut));
    }

    /** The request with its {@code max_tokens} lowered to the tier's cap (or set to it when the query names none). */
    ModelRequest capped(ModelRequest request) {
        Integer cap = config.maxTokens();
        if (cap == null || (request.maxTokens() != null && request.maxTokens() <= cap)) {
            return request;
        }
        return new ModelRequest(request.messages(), cap, request.temperature());
    }

    private TierResult finish(Instant start, AtomicBoolean released, ModelReply reply, Throwable failure,
                              boolean cutAtDeadline) {
        Duration took = Duration.between(start, clock.instant());
        long nanos = took.isNegative() ? 0 : took.toNanos();
        long latencyMs = TimeUnit.NANOSECONDS.toMillis(nanos);
        if (!released.compareAndSet(false, true)) {
            // this very method failed after releasing the slot: report, never release twice
            return new TierResult(CallResult.Kind.ERROR, null, latencyMs, BigDecimal.ZERO, describe(failure));
        }
        bulkhead.onComplete();
        Throwable cause = failure;
        if (cause == null) {
            try {
                BigDecimal cost = bill(reply);
                breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
                return new TierResult(CallResult.Kind.ANSWERED, reply, latencyMs, cost, null);
            } catch (RuntimeException e) {
                cause = e;
            }
        }
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        boolean timeout = cause instanceof TimeoutException || cause instanceof HttpTimeoutException;
        if (timeout && cutAtDeadline) {
            breaker.releasePermission();
            return new TierResult(CallResult.Kind.TIMEOUT, null, latencyMs, BigDecimal.ZERO, "cut short at the "
                    + "query's deadline after " + latencyMs + " ms (the tier's time-out is "
                    + config.timeout().toMillis() + " ms)", true);
        }
        breaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
        String message = timeout ? "no answer within " + config.timeout().toMillis() + " ms"
                : describe(cause);
        return new TierResult(timeout ? CallResult.Kind.TIMEOUT : CallResult.Kind.ERROR, null, latencyMs,
                BigDecimal.ZERO, message);
    }

    /** The reply's cost; a reply whose usage cannot be billed is a failed call. */
    private BigDecimal bill(ModelReply reply) {
        if (reply == null || reply.content() == null) {
            throw new ModelCallException("client returned no reply");
        }
        if (reply.promptTokens() < 0 || reply.completionTokens() < 0) {
            throw new ModelCallException("invalid usage: token counts must be >= 0, got " + reply.promptTokens()
                    + " prompt and " + reply.completionTokens() + " completion");
        }
        return config.pricing().cost(reply.promptTokens(), reply.completionTokens());
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ModelCallException) {
            return cause.getMessage();
        }
        String msg = cause == null ? null : cause.getMessage();
        String type = cause == null ? "unknown failure" : cause.getClass().getSimpleName();
        return Redactor.patternsOnly().scrub(type + (msg == null ? "" : ": " + msg));
    }
}
