package dev.cascade.router.processor;

import dev.cascade.core.TierStep;
import dev.cascade.events.Outcome;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tier;
import dev.cascade.router.tier.TierResult;
import dev.cascade.router.tier.Tiers;
import java.util.HashMap;
import java.util.Map;

/**
 * Shadow fan-out: after a sampled query is answered, the tiers after the serving one are called too; their answers
 * are compared, never served. A tier whose breaker is open or whose call slots are full is left out: shadow traffic
 * never queues ahead of real queries. Shadow calls in flight when the task moves are not made again (samples, not
 * answers). Stream thread only.
 */
final class ShadowCalls {
    private final Tiers tiers;
    private final Completions completions;
    private final Outputs outputs;
    private final RouterMetrics metrics;
    private final Map<String, ShadowSet> open = new HashMap<>();

    ShadowCalls(Tiers tiers, Completions completions, Outputs outputs, RouterMetrics metrics) {
        this.tiers = tiers;
        this.completions = completions;
        this.outputs = outputs;
        this.metrics = metrics;
    }

    /** Starts the shadow calls of an answered, sampled query. */
    void start(InFlight answered) {
        ShadowSet set = new ShadowSet(answered);
        for (int j = answered.tierIndex() + 1; j < answered.tiers().size(); j++) {
            String name = answered.tiers().get(j).tier();
            Tier tier = tiers.get(name);
            if (tier == null || tier.tryAcquire() != Tier.Permit.PERMITTED) {
                metrics.shadowSkipped(name);
                continue;
            }
            set.expect();
            completions.callShadow(tier, answered.request(), answered.key(), j);
        }
        if (set.complete()) {
            outputs.shadow(set.toRecord(outputs.now()));
        } else {
            open.put(answered.key(), set);
        }
    }

    /** Records a shadow call's attempt; writes the shadow record once the query's last shadow call has ended. */
    void conclude(Completions.Shadow c) {
        ShadowSet set = open.get(c.id());
        if (set == null) {
            metrics.staleCompletion();
            return;
        }
        TierResult result = c.result();
        TierStep step = set.query().tiers().get(c.tierIndex());
        Tier tier = tiers.get(step.tier());
        String model = tier == null ? null : tier.config().model();
        Outcome outcome = switch (result.asCallResult().kind()) {
            case ANSWERED -> Outcome.SHADOW;
            case TIMEOUT -> Outcome.TIMEOUT;
            case SHORT_CIRCUITED -> Outcome.SHORT_CIRCUITED;
            case ERROR -> Outcome.ERROR;
        };
        outputs.attempt(set.query().id(), set.query().route(), step, model, outcome, result, true);
        set.ended(result.reply() == null ? null : ShadowReply.of(step.tier(), model, result, false));
        if (set.complete()) {
            open.remove(c.id());
            outputs.shadow(set.toRecord(outputs.now()));
        }
    }

    void clear() {
        open.clear();
    }
}
