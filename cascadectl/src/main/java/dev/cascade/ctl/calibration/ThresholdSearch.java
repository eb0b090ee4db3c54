package dev.cascade.ctl.calibration;

import dev.cascade.core.TierStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One exhaustive pass over the threshold grids of candidate chains on a training set, keeping the cheapest policy
 * that satisfies the {@link AccuracyConstraint} (ties go to the more accurate). A branch is cut as soon as its cost
 * exceeds the best found, since every policy below it costs at least as much. Not thread-safe: one per search.
 */
final class ThresholdSearch {
    private final OutcomeMatrix matrix;
    private final Strata strata;
    private final int terminal;
    private final int n;
    private final AccuracyConstraint constraint;
    private final int pooled;
    private Calibrator.Choice best;
    private int[] chain;
    private double[] thresholds;
    private double[][] grids;

    /** Starts from the terminal alone, which keeps 100 % of its own accuracy: the fallback if nothing cheaper holds. */
    ThresholdSearch(OutcomeMatrix matrix, Strata strata, int[] rows, int terminal, CalibratorSettings settings) {
        this.matrix = matrix;
        this.strata = strata;
        this.terminal = terminal;
        this.n = rows.length;
        long[] terminalCorrect = new long[strata.count()];
        long cost = 0;
        for (int r : rows) {
            terminalCorrect[strata.of(r)] += matrix.correct[terminal][r] ? 1 : 0;
            cost += matrix.costFemto[terminal][r];
        }
        this.constraint = new AccuracyConstraint(settings.target(), settings.z(), settings.stratumZ(),
                settings.minStratum(), strata.sizes(rows), terminalCorrect);
        this.pooled = constraint.pooled();
        long all = constraint.terminalCorrect(pooled);
        this.best = new Calibrator.Choice(List.of(new TierStep(matrix.models.get(terminal), null)),
                new PolicyScore(n, all, all, cost));
    }

    Calibrator.Choice best() {
        return best;
    }

    /** Searches one chain (model indices, terminal last) with the given threshold grid per non-terminal tier. */
    void run(int[] chain, double[][] grids, int[] rows) {
        this.chain = chain;
        this.grids = grids;
        this.thresholds = new double[chain.length - 1];
        level(0, rows, 0, new long[pooled + 1], new long[pooled + 1]);
    }

    /**
     * Queries in {@code remaining} reach tier {@code level}; per stratum (pooled last), {@code correct} and
     * {@code both} count the queries served above it right, and right by the terminal too. Neither array is changed.
     */
    private void level(int level, int[] remaining, long cost, long[] correct, long[] both) {
        int m = chain[level];
        long levelCost = 0;
        for (int r : remaining) {
            levelCost += matrix.costFemto[m][r];
        }
        if (cost + levelCost > best.inSample().costFemto()) {
            return;
        }
        long[] c = correct.clone();
        long[] b = both.clone();
        if (level == chain.length - 1) {
            for (int r : remaining) {
                if (matrix.correct[m][r]) {
                    count(r, c, b, true);
                }
            }
            consider(cost + levelCost, c, b);
            return;
        }
        double[] confidence = matrix.confidence[m];
        int[] order = Arrays.stream(remaining).boxed()
                .sorted((x, y) -> Double.compare(confidence[y], confidence[x])).mapToInt(Integer::intValue).toArray();
        int accepted = 0;
        for (double t : grids[level]) {
            while (accepted < order.length && confidence[order[accepted]] >= t) {
                int r = order[accepted++];
                if (matrix.correct[m][r]) {
                    count(r, c, b, matrix.correct[terminal][r]);
                }
            }
            thresholds[level] = t;
            level(level + 1, Arrays.copyOfRange(order, accepted, order.length), cost + levelCost, c, b);
        }
    }

    private void count(int row, long[] correct, long[] both, boolean terminalRight) {
        int s = strata.of(row);
        correct[s]++;
        correct[pooled]++;
        if (terminalRight) {
            both[s]++;
            both[pooled]++;
        }
    }

    private void consider(long cost, long[] correct, long[] both) {
        PolicyScore current = best.inSample();
        if (cost > current.costFemto() || cost == current.costFemto() && correct[pooled] <= current.correct()) {
            return;
        }
        if (!constraint.holds(correct, both)) {
            return;
        }
        List<TierStep> steps = new ArrayList<>();
        for (int i = 0; i < chain.length; i++) {
            steps.add(new TierStep(matrix.models.get(chain[i]), i == chain.length - 1 ? null : thresholds[i]));
        }
        best = new Calibrator.Choice(steps, new PolicyScore(n, correct[pooled], constraint.terminalCorrect(pooled),
                cost));
    }
}
