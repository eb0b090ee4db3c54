package dev.cascade.router.processor;

import dev.cascade.core.CallResult;
import dev.cascade.core.Decision;
import dev.cascade.core.RoutePolicy;
import dev.cascade.core.TierStep;
import dev.cascade.core.pricing.TokenPrice;
import dev.cascade.events.AnswerEvent;
import dev.cascade.events.AnswerEvent.AttemptSummary;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tier;
import dev.cascade.router.tier.TierResult;
import dev.cascade.router.tier.Tiers;
import java.math.BigDecimal;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Steps queries through their tiers: dispatches the current tier's call (or parks the query while the tier's slots
 * are full, or skips a short-circuited tier at no cost), and decides on each result with the route's
 * {@link Decision} rule: answer, escalate to the next tier, or fail. Keeps the in-flight store in step. Stream thread
 * only.
 */
final class Stepper {
    private final Tiers tiers;
    private final KeyValueStore<String, InFlight> store;
    private final Completions completions;
    private final TierQueues queues;
    private final ShadowCalls shadows;
    private final Outputs outputs;
    private final RouterMetrics metrics;
    private long owned;

    Stepper(Tiers tiers, KeyValueStore<String, InFlight> store, Completions completions, TierQueues queues,
            ShadowCalls shadows, Outputs outputs, RouterMetrics metrics) {
        this.tiers = tiers;
        this.store = store;
        this.completions = completions;
        this.queues = queues;
        this.shadows = shadows;
        this.outputs = outputs;
        this.metrics = metrics;
    }

    /** Takes charge of a query (new, or found in the store after a (re)assignment) and tries its current tier. */
    void start(InFlight query) {
        owned++;
        metrics.queriesInFlight(1);
        advance(query);
    }

    /** A served call ended: decides, unless the query has been answered or dispatched again since. */
    void onCompletion(Completions.Served c) {
        InFlight f = store.get(c.id());
        if (f == null || f.dispatch() != c.dispatch()) {
            metrics.staleCompletion();
            return;
        }
        InFlight next = conclude(f, c.result());
        if (next != null) {
            advance(next);
        }
    }

    /** A query parked in a tier queue gets its turn. */
    void retry(String id) {
        InFlight f = store.get(id);
        if (f != null) {
            advance(f);
        }
    }

    /** Tries the query's current tier; short-circuited tiers are recorded and skipped until a call is made. */
    private void advance(InFlight start) {
        InFlight f = start;
        while (f != null) {
            TierStep step = f.step();
            Tier tier = tiers.get(step.tier());
            if (tier == null) {
                f = conclude(f, new TierResult(CallResult.Kind.ERROR, null, 0, BigDecimal.ZERO,
                        "tier '" + step.tier() + "' is not configured on this router"));
                continue;
            }
            switch (tier.tryAcquire()) {
                case FULL -> {
                    store.put(f.key(), f);
                    queues.park(tier.name(), f.key());
                    return;
                }
                case PERMITTED -> {
                    InFlight d = f.nextDispatch();
                    store.put(d.key(), d);
                    completions.call(tier, d.request(), d.key(), d.dispatch());
                    return;
                }
                case SHORT_CIRCUITED -> f = conclude(f, new TierResult(CallResult.Kind.SHORT_CIRCUITED, null, 0,
                        BigDecimal.ZERO, "circuit breaker of tier '" + tier.name() + "' is open"));
            }
        }
    }

    /** Records the attempt and decides; answers or fails the query (returning null) or returns it at its next tier. */
    private InFlight conclude(InFlight f, TierResult result) {
        RoutePolicy policy = f.policy();
        TierStep step = f.step();
        Decision decision = Decision.decide(policy, f.tierIndex(), result.asCallResult());
        Tier tier = tiers.get(step.tier());
        String model = tier == null ? null : tier.config().model();
        InFlight updated = f.withAttempt(outputs.attempt(f.id(), f.route(), step, model, decision.outcome(), result,
                false));
        boolean answered = decision.action() == Decision.Action.ANSWER;
        if (f.shadow() && result.reply() != null) {
            updated = updated.withReply(ShadowReply.of(step.tier(), model, result, answered));
        }
        long elapsed = outputs.now() - f.receivedAt();
        switch (decision.action()) {
            case ANSWER -> {
                finish(updated, new AnswerEvent(f.id(), f.route(), AnswerEvent.Status.ANSWERED, step.tier(), model,
                        result.reply().content(), result.reply().confidence(), totalCost(updated), elapsed,
                        updated.attempts(), null));
                if (updated.shadow()) {
                    shadows.start(updated);
                }
                return null;
            }
            case FAIL -> {
                String trail = updated.attempts().stream().map(a -> a.tier() + "=" + a.outcome())
                        .collect(Collectors.joining(", "));
                finish(updated, new AnswerEvent(f.id(), f.route(), AnswerEvent.Status.FAILED, null, null, null, null,
                        totalCost(updated), elapsed, updated.attempts(),
                        "every tier failed (" + trail + "); last: " + result.error()));
                return null;
            }
            default -> {
                metrics.escalated(step.tier(), policy.step(f.tierIndex() + 1).tier());
                return updated.nextTier();
            }
        }
    }

    private void finish(InFlight f, AnswerEvent answer) {
        outputs.answer(f, answer);
        store.delete(f.key());
        owned--;
        metrics.queriesInFlight(-1);
    }

    private static BigDecimal totalCost(InFlight f) {
        BigDecimal sum = BigDecimal.ZERO;
        for (AttemptSummary a : f.attempts()) {
            sum = sum.add(a.costUsd());
        }
        return TokenPrice.normalise(sum);
    }

    /** The task is closing: its queries leave this instance's in-flight gauge. */
    void close() {
        metrics.queriesInFlight(-owned);
        owned = 0;
    }
}
