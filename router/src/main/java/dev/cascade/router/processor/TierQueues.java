package dev.cascade.router.processor;

import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tier;
import dev.cascade.router.tier.Tiers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Queries waiting for a free call slot of a tier whose bulkhead was full, by tier, in arrival order, at most
 * {@code max_waiting} per tier and instance ({@link Tier#tryWait()}). Only store keys ({@link InFlight#key()}) and deadlines are kept here; the
 * queries themselves stay in the in-flight store. Waiting queries whose deadline passes are handed out by
 * {@link #expire}, without a call. Stream thread only.
 */
final class TierQueues {
    private record Parked(long deadlineAt, String tier, String id) {
    }

    private static final Comparator<Parked> BY_DEADLINE = Comparator.comparingLong(Parked::deadlineAt)
            .thenComparing(Parked::id);

    private final Tiers tiers;
    private final RouterMetrics metrics;
    /** Per tier: waiting id to its deadline (absolute; Long.MAX_VALUE for none), in arrival order. */
    private final Map<String, LinkedHashMap<String, Long>> waiting = new HashMap<>();
    private final TreeSet<Parked> byDeadline = new TreeSet<>(BY_DEADLINE);

    TierQueues(Tiers tiers, RouterMetrics metrics) {
        this.tiers = tiers;
        this.metrics = metrics;
    }

    /** Parks a query at a full tier when the tier has a waiting place left; false when all are taken. */
    boolean park(Tier tier, String queryId, Deadline deadline) {
        if (!tier.tryWait()) {
            return false;
        }
        long at = deadline == null ? Long.MAX_VALUE : deadline.at();
        waiting.computeIfAbsent(tier.name(), t -> new LinkedHashMap<>()).put(queryId, at);
        if (deadline != null) {
            byDeadline.add(new Parked(at, tier.name(), queryId));
        }
        metrics.waiting(tier.name(), 1);
        return true;
    }

    /**
     * Hands each waiting query back while its tier has room (or its breaker has opened, so the query moves on at no
     * cost). Each query is handed back at most once per call, so one that parks again waits for the next drain.
     */
    void drain(Consumer<String> retry) {
        // a retried query may park at a tier with no queue yet: walk a copy of the tiers, not the live map
        for (String name : List.copyOf(waiting.keySet())) {
            Tier tier = tiers.get(name);
            LinkedHashMap<String, Long> queue = waiting.get(name);
            int budget = queue.size();
            while (budget-- > 0 && !queue.isEmpty() && (tier.hasCapacity()
                    || tier.breaker().getState() == CircuitBreaker.State.OPEN)) {
                Iterator<Map.Entry<String, Long>> first = queue.entrySet().iterator();
                Map.Entry<String, Long> head = first.next();
                first.remove();
                left(tier, head.getKey(), head.getValue());
                retry.accept(head.getKey());
            }
        }
    }

    /** Takes every waiting query whose deadline has passed at {@code now} out of its queue and hands it out. */
    void expire(long now, Consumer<String> expired) {
        while (!byDeadline.isEmpty() && byDeadline.first().deadlineAt() <= now) {
            Parked p = byDeadline.pollFirst();
            waiting.get(p.tier()).remove(p.id());
            Tier tier = tiers.get(p.tier());
            tier.stopWaiting();
            metrics.waiting(tier.name(), -1);
            expired.accept(p.id());
        }
    }

    private void left(Tier tier, String id, long deadlineAt) {
        if (deadlineAt != Long.MAX_VALUE) {
            byDeadline.remove(new Parked(deadlineAt, tier.name(), id));
        }
        tier.stopWaiting();
        metrics.waiting(tier.name(), -1);
    }

    void clear() {
        waiting.forEach((name, queue) -> {
            Tier tier = tiers.get(name);
            queue.forEach((id, at) -> tier.stopWaiting());
            metrics.waiting(name, -queue.size());
        });
        waiting.clear();
        byDeadline.clear();
    }
}
