package dev.cascade.gateway.pending;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The requests of this instance that wait for an answer, by query id. A retried request for an id that is still
 * waiting here joins the first one (its query is not published again), and both get the one answer. Each wait ends
 * with the answer, at its deadline ({@link java.util.concurrent.TimeoutException}), or when the request goes away.
 * Holds only a future per request: many thousands of open requests cost little. Thread-safe.
 *
 * @param <T> the answer type
 */
public final class PendingAnswers<T> {
    private final Map<String, Set<CompletableFuture<T>>> waiting = new ConcurrentHashMap<>();

    /** A registered wait: the future to complete, and whether this request is the first for its id. */
    public record Wait<T>(CompletableFuture<T> answer, boolean first) {
    }

    /**
     * Registers a request waiting up to {@code timeoutMs} for the answer to {@code id}. When {@code first}, the caller
     * publishes the query; otherwise a request for the same id is already waiting and the query is on its way.
     */
    public Wait<T> register(String id, long timeoutMs) {
        CompletableFuture<T> future = new CompletableFuture<>();
        boolean[] first = new boolean[1];
        waiting.compute(id, (k, set) -> {
            if (set == null) {
                set = ConcurrentHashMap.newKeySet();
                first[0] = true;
            }
            set.add(future);
            return set;
        });
        future.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((v, e) -> remove(id, future));
        return new Wait<>(future, first[0]);
    }

    /** Delivers an answer to every request waiting for {@code id}; false when none waits (not ours, or gone). */
    public boolean complete(String id, T answer) {
        Set<CompletableFuture<T>> set = waiting.remove(id);
        if (set == null) {
            return false;
        }
        set.forEach(f -> f.complete(answer));
        return true;
    }

    /** Ends every wait with {@code cause} (publishing failed, or the gateway is stopping). */
    public void failAll(Throwable cause) {
        for (String id : Set.copyOf(waiting.keySet())) {
            fail(id, cause);
        }
    }

    /** Ends every wait for {@code id} with {@code cause}. */
    public void fail(String id, Throwable cause) {
        Set<CompletableFuture<T>> set = waiting.remove(id);
        if (set != null) {
            set.forEach(f -> f.completeExceptionally(cause));
        }
    }

    /** Query ids with at least one waiting request. */
    public int size() {
        return waiting.size();
    }

    private void remove(String id, CompletableFuture<T> future) {
        waiting.computeIfPresent(id, (k, set) -> {
            set.remove(future);
            return set.isEmpty() ? null : set;
        });
    }
}
