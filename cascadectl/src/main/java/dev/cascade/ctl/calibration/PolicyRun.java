package dev.cascade.ctl.calibration;

import dev.cascade.core.Decision;
import dev.cascade.core.RoutePolicy;
import dev.cascade.core.TierStep;
import java.util.List;

/**
 * A policy replayed row by row on an {@link OutcomeMatrix}: for each query whether the served answer was right,
 * whether the terminal model's was, and what the calls cost. The per-row form feeds folds and bootstrap resamples.
 */
final class PolicyRun {
    final boolean[] correct;
    final boolean[] terminalCorrect;
    final long[] costFemto;

    PolicyRun(OutcomeMatrix matrix, int[] rows, List<TierStep> tiers, String terminal) {
        int t = matrix.index(terminal);
        RoutePolicy policy = new RoutePolicy("replay", tiers);
        int[] chain = tiers.stream().mapToInt(s -> matrix.index(s.tier())).toArray();
        correct = new boolean[rows.length];
        terminalCorrect = new boolean[rows.length];
        costFemto = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            int r = rows[i];
            terminalCorrect[i] = matrix.correct[t][r];
            // the router's own decision rule, so a replayed policy behaves as the live one does
            int served = Decision.servingTier(policy, k -> matrix.confidence[chain[k]][r]);
            for (int k = 0; k <= served; k++) {
                costFemto[i] = Math.addExact(costFemto[i], matrix.costFemto[chain[k]][r]);
            }
            correct[i] = matrix.correct[chain[served]][r];
        }
    }

    PolicyScore score() {
        long c = 0;
        long tc = 0;
        long cost = 0;
        for (int i = 0; i < correct.length; i++) {
            c += correct[i] ? 1 : 0;
            tc += terminalCorrect[i] ? 1 : 0;
            cost = Math.addExact(cost, costFemto[i]);
        }
        return new PolicyScore(correct.length, c, tc, cost);
    }
}
