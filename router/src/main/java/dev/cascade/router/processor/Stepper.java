package dev.cascade.router.processor;

import dev.cascade.core.CallResult;
import dev.cascade.core.Decision;
import dev.cascade.core.TierStep;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tier;
import dev.cascade.router.tier.TierResult;
import dev.cascade.router.tier.Tiers;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Steps queries through their tiers: dispatches the current tier's call (bounded by the query's deadline), or parks
 * the query while the tier's slots are full, or moves it on at no cost when the tier's breaker is open or its
 * waiting places are taken too; decides on each result with the route's {@link Decision} rule: answer, escalate to
 * the next tier, or fail. No tier is called once the query's deadline has passed. Keeps the in-flight store in step.
 * Stream thread only.
 */
final class Stepper {
    private final Tiers tiers;
    private final KeyValueStore<String, InFlight> store;
    private final Completions completions;
    private final TierQueues queues;
    private final ShadowCalls shadows;
    private final Outputs outputs;
    private final Answers answers;
    private final RouterMetrics metrics;

    Stepper(Tiers tiers, KeyValueStore<String, InFlight> store, Completions completions, TierQueues queues,
            ShadowCalls shadows, Outputs outputs, Answers answers, RouterMetrics metrics) {
        this.tiers = tiers;
        this.store = store;
        this.completions = completions;
        this.queues = queues;
        this.shadows = shadows;
        this.outputs = outputs;
        this.answers = answers;
        this.metrics = metrics;
    }

    /** Takes charge of a query (new, or found in the store after a (re)assignment) and tries its current tier. */
    void start(InFlight query) {
        answers.owned();
        advance(query);
    }

    /** A served call ended: decides, unless the query has been answered or dispatched again since. */
    void onCompletion(Completions.Served c) {
        InFlight f = store.get(c.id());
        if (f == null || f.dispatch() != c.dispatch()) {
            metrics.staleCompletion();
            return;
        }
        InFlight next = conclude(f, c.result(), false);
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

    /** A query parked in a tier queue reached its deadline: it fails without a call. */
    void expire(String id) {
        InFlight f = store.get(id);
        if (f != null) {
            expired(f);
        }
    }

    /** Tries the query's current tier; tiers without a call (breaker open, no room) are recorded and skipped. */
    private void advance(InFlight start) {
        InFlight f = start;
        while (f != null) {
            if (f.pastDeadline(outputs.now())) {
                expired(f);
                return;
            }
            TierStep step = f.step();
            Tier tier = tiers.get(step.tier());
            if (tier == null) {
                f = conclude(f, TierResult.skipped(CallResult.Kind.ERROR, "tier '" + step.tier()
                        + "' is not configured on this router"), false);
                continue;
            }
            switch (tier.tryAcquire()) {
                case FULL -> {
                    if (queues.park(tier, f.key(), f.deadline())) {
                        store.put(f.key(), f);
                        return;
                    }
                    metrics.overflow(tier.name());
                    f = conclude(f, TierResult.skipped(CallResult.Kind.SHORT_CIRCUITED, "tier '" + tier.name()
                            + "' is full: " + tier.config().maxInFlight() + " calls in flight and "
                            + tier.config().maxWaiting() + " waiting (max_waiting)"), true);
                }
                case PERMITTED -> {
                    InFlight d = f.nextDispatch();
                    store.put(d.key(), d);
                    completions.call(tier, d.request(), d.key(), d.dispatch(), d.untilDeadline(outputs.now()));
                    return;
                }
                case SHORT_CIRCUITED -> f = conclude(f, TierResult.skipped(CallResult.Kind.SHORT_CIRCUITED,
                        "circuit breaker of tier '" + tier.name() + "' is open"), false);
            }
        }
    }

    /**
     * Records the attempt and decides; answers or fails the query (returning null) or returns it at its next tier.
     * An answer that came back is served even when the deadline passed while it was being collected; a call cut short
     * at the deadline ends the query.
     */
    private InFlight conclude(InFlight f, TierResult result, boolean overflow) {
        TierStep step = f.step();
        Decision decision = Decision.decide(f.policy(), f.tierIndex(), result.asCallResult());
        Tier tier = tiers.get(step.tier());
        String model = tier == null ? null : tier.config().model();
        InFlight updated = f.withAttempt(outputs.attempt(f.id(), f.route(), step, model, decision.outcome(), result,
                false));
        boolean answered = decision.action() == Decision.Action.ANSWER;
        if (f.shadow() && result.reply() != null) {
            updated = updated.withReply(ShadowReply.of(step.tier(), model, result, answered));
        }
        if (decision.action() == Decision.Action.ANSWER) {
            answers.served(updated, step.tier(), model, result.reply());
            if (updated.shadow()) {
                shadows.start(updated);
            }
            return null;
        }
        boolean last = decision.action() == Decision.Action.FAIL;
        if (result.cutAtDeadline() || last && updated.pastDeadline(outputs.now())) {
            expired(updated);
        } else if (last) {
            answers.failed(updated, overflow ? Answers.overloaded(updated, result.error())
                    : Answers.everyTierFailed(updated, result.error()));
        } else {
            metrics.escalated(step.tier(), f.policy().step(f.tierIndex() + 1).tier());
            return updated.nextTier();
        }
        return null;
    }

    private void expired(InFlight f) {
        metrics.deadlineMissed();
        answers.failed(f, Answers.deadline(f));
    }
}
