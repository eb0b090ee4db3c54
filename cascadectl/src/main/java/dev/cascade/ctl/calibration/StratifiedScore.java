package dev.cascade.ctl.calibration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A policy's {@link PolicyScore} within each stratum (in the order of {@code strata}) and pooled. Immutable.
 */
public record StratifiedScore(List<String> strata, List<PolicyScore> byStratum, PolicyScore pooled) {
    public StratifiedScore {
        strata = List.copyOf(strata);
        byStratum = List.copyOf(byStratum);
        if (strata.size() != byStratum.size()) {
            throw new IllegalArgumentException(strata.size() + " strata but " + byStratum.size() + " scores");
        }
    }

    /** No queries yet in any stratum. */
    static StratifiedScore empty(Strata strata) {
        PolicyScore zero = new PolicyScore(0, 0, 0, 0);
        return new StratifiedScore(strata.names(), Collections.nCopies(strata.count(), zero), zero);
    }

    /** The replayed policy's rows grouped by stratum; {@code rows[i]} is the file row of the run's position i. */
    static StratifiedScore of(PolicyRun run, int[] rows, Strata strata) {
        long[] queries = new long[strata.count()];
        long[] correct = new long[strata.count()];
        long[] terminalCorrect = new long[strata.count()];
        long[] cost = new long[strata.count()];
        for (int i = 0; i < rows.length; i++) {
            int s = strata.of(rows[i]);
            queries[s]++;
            correct[s] += run.correct[i] ? 1 : 0;
            terminalCorrect[s] += run.terminalCorrect[i] ? 1 : 0;
            cost[s] = Math.addExact(cost[s], run.costFemto[i]);
        }
        List<PolicyScore> scores = new ArrayList<>();
        for (int s = 0; s < strata.count(); s++) {
            scores.add(new PolicyScore((int) queries[s], correct[s], terminalCorrect[s], cost[s]));
        }
        return new StratifiedScore(strata.names(), scores, run.score());
    }

    StratifiedScore plus(StratifiedScore o) {
        if (!strata.equals(o.strata)) {
            throw new IllegalArgumentException("cannot add scores over strata " + strata + " and " + o.strata);
        }
        List<PolicyScore> sum = new ArrayList<>();
        for (int s = 0; s < strata.size(); s++) {
            sum.add(byStratum.get(s).plus(o.byStratum.get(s)));
        }
        return new StratifiedScore(strata, sum, pooled.plus(o.pooled));
    }

    public PolicyScore stratum(String name) {
        int s = strata.indexOf(name);
        if (s < 0) {
            throw new IllegalArgumentException("no stratum '" + name + "' (strata: " + strata + ")");
        }
        return byStratum.get(s);
    }

    /** The stratum with the lowest accuracy ratio among those with queries, or -1 when none has any. */
    public int worst() {
        int worst = -1;
        for (int s = 0; s < strata.size(); s++) {
            if (byStratum.get(s).queries() > 0
                    && (worst < 0 || byStratum.get(s).ratio() < byStratum.get(worst).ratio())) {
                worst = s;
            }
        }
        return worst;
    }
}
