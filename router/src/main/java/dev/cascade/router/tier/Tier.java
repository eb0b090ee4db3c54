package dev.cascade.router.tier;

import dev.cascade.core.CallResult;
import dev.cascade.router.client.ModelCallException;
import dev.cascade.router.client.ModelClient;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.TierConfig;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.math.BigDecimal;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A model tier at run time: its client guarded by a circuit breaker, a bulkhead (bounded calls in flight) and a hard
 * time-out. Callers first {@link #tryAcquire()} and, when permitted, {@link #call(ModelRequest)}; an open breaker and
 * a full bulkhead are answers, not exceptions. Thread-safe.
 */
public final class Tier {
    /** The answer of {@link #tryAcquire()}. */
    public enum Permit { PERMITTED, SHORT_CIRCUITED, FULL }

    private final TierConfig config;
    private final ModelClient client;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;

    public Tier(TierConfig config, ModelClient client, CircuitBreaker breaker, Bulkhead bulkhead) {
        this.config = config;
        this.client = client;
        this.breaker = breaker;
        this.bulkhead = bulkhead;
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

    /**
     * Makes the call; only after {@link #tryAcquire()} returned PERMITTED. The future never completes exceptionally:
     * errors and time-outs are {@link TierResult}s. The slot is released and the breaker told when the call ends.
     */
    public CompletableFuture<TierResult> call(ModelRequest request) {
        long start = System.nanoTime();
        CompletableFuture<TierResult> result;
        try {
            result = client.complete(request)
                    .orTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                    .handle((reply, failure) -> finish(start, reply, failure));
        } catch (RuntimeException e) {
            result = CompletableFuture.completedFuture(finish(start, null, e));
        }
        return result;
    }

    private TierResult finish(long start, dev.cascade.router.client.ModelReply reply, Throwable failure) {
        long nanos = System.nanoTime() - start;
        long latencyMs = TimeUnit.NANOSECONDS.toMillis(nanos);
        bulkhead.onComplete();
        if (failure == null) {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            BigDecimal cost = config.pricing().cost(reply.promptTokens(), reply.completionTokens());
            return new TierResult(CallResult.Kind.ANSWERED, reply, latencyMs, cost, null);
        }
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        breaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
        boolean timeout = cause instanceof TimeoutException || cause instanceof HttpTimeoutException;
        String message = timeout ? "no answer within " + config.timeout().toMillis() + " ms"
                : describe(cause);
        return new TierResult(timeout ? CallResult.Kind.TIMEOUT : CallResult.Kind.ERROR, null, latencyMs,
                BigDecimal.ZERO, message);
    }

    private static String describe(Throwable cause) {
        if (cause instanceof ModelCallException) {
            return cause.getMessage();
        }
        String msg = cause.getMessage();
        return cause.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }
}
