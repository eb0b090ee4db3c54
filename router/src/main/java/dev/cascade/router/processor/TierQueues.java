package dev.cascade.router.processor;

import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tier;
import dev.cascade.router.tier.Tiers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Queries waiting for a free call slot of a tier whose bulkhead was full, by tier, in arrival order. Only ids are
 * kept here; the queries themselves stay in the in-flight store. Stream thread only.
 */
final class TierQueues {
    private final Tiers tiers;
    private final RouterMetrics metrics;
    private final Map<String, ArrayDeque<String>> waiting = new HashMap<>();

    TierQueues(Tiers tiers, RouterMetrics metrics) {
        this.tiers = tiers;
        this.metrics = metrics;
    }

    void park(String tier, String queryId) {
        waiting.computeIfAbsent(tier, t -> new ArrayDeque<>()).add(queryId);
        metrics.waiting(tier, 1);
    }

    /**
     * Hands each waiting query back while its tier has room (or its breaker has opened, so the query moves on at no
     * cost). Each query is handed back at most once per call, so one that parks again waits for the next drain.
     */
    void drain(Consumer<String> retry) {
        // a retried query may park at a tier with no queue yet: walk a copy of the tiers, not the live map
        for (String name : List.copyOf(waiting.keySet())) {
            Tier tier = tiers.get(name);
            ArrayDeque<String> queue = waiting.get(name);
            int budget = queue.size();
            while (budget-- > 0 && !queue.isEmpty() && (tier.hasCapacity()
                    || tier.breaker().getState() == CircuitBreaker.State.OPEN)) {
                String id = queue.poll();
                metrics.waiting(tier.name(), -1);
                retry.accept(id);
            }
        }
    }

    void clear() {
        waiting.forEach((tier, queue) -> metrics.waiting(tier, -queue.size()));
        waiting.clear();
    }
}
