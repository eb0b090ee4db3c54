package dev.cascade.ctl.calibration;

import java.util.List;

/**
 * The bound no cascade can beat: each query served by the cheapest model that answered it correctly, paying only
 * for that one call; a query no model got right is charged the cheapest call and counted wrong.
 */
public final class Oracle {
    private Oracle() {
    }

    public static PolicyScore of(List<QueryOutcomes> queries, List<String> models, String terminal) {
        List<String> all = new java.util.ArrayList<>(models);
        if (!all.contains(terminal)) {
            all.add(terminal);
        }
        OutcomeMatrix m = new OutcomeMatrix(queries, all);
        int t = m.index(terminal);
        long correct = 0;
        long terminalCorrect = 0;
        long cost = 0;
        for (int r = 0; r < m.queries; r++) {
            long cheapestCorrect = Long.MAX_VALUE;
            long cheapest = Long.MAX_VALUE;
            for (int k = 0; k < all.size(); k++) {
                cheapest = Math.min(cheapest, m.costFemto[k][r]);
                if (m.correct[k][r]) {
                    cheapestCorrect = Math.min(cheapestCorrect, m.costFemto[k][r]);
                }
            }
            terminalCorrect += m.correct[t][r] ? 1 : 0;
            if (cheapestCorrect != Long.MAX_VALUE) {
                correct++;
                cost += cheapestCorrect;
            } else {
                cost += cheapest;
            }
        }
        return new PolicyScore(m.queries, correct, terminalCorrect, cost);
    }
}
