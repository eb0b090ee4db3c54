package dev.cascade.ctl.calibration;

import dev.cascade.core.TierStep;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Percentile bootstrap of a policy's accuracy, accuracy ratio to the terminal model and cost per 1k queries:
 * resample the queries with replacement, replay the policy on each resample, take the 2.5th and 97.5th percentiles.
 */
public final class Bootstrap {
    /** A 95 % interval; cost bounds are exact sums of recorded costs. */
    public record Intervals(int resamples, double accuracyLow, double accuracyHigh, double ratioLow, double ratioHigh,
                            BigDecimal costPer1kLow, BigDecimal costPer1kHigh) {
    }

    private Bootstrap() {
    }

    public static Intervals run(List<QueryOutcomes> queries, List<TierStep> tiers, String terminal, int resamples,
                                long seed) {
        if (resamples < 10) {
            throw new IllegalArgumentException("at least 10 bootstrap resamples, got " + resamples);
        }
        List<String> models = new java.util.ArrayList<>(tiers.stream().map(TierStep::tier).toList());
        if (!models.contains(terminal)) {
            models.add(terminal);
        }
        OutcomeMatrix matrix = new OutcomeMatrix(queries, models);
        PolicyRun run = new PolicyRun(matrix, Calibrator.allRows(matrix.queries), tiers, terminal);
        int n = matrix.queries;
        Random random = new Random(seed);
        double[] accuracy = new double[resamples];
        double[] ratio = new double[resamples];
        long[] cost = new long[resamples];
        for (int b = 0; b < resamples; b++) {
            long c = 0;
            long tc = 0;
            long sum = 0;
            for (int i = 0; i < n; i++) {
                int r = random.nextInt(n);
                c += run.correct[r] ? 1 : 0;
                tc += run.terminalCorrect[r] ? 1 : 0;
                sum = Math.addExact(sum, run.costFemto[r]);
            }
            accuracy[b] = c / (double) n;
            ratio[b] = tc == 0 ? 0 : c / (double) tc;
            cost[b] = sum;
        }
        Arrays.sort(accuracy);
        Arrays.sort(ratio);
        Arrays.sort(cost);
        int lo = (int) Math.floor(0.025 * (resamples - 1));
        int hi = (int) Math.ceil(0.975 * (resamples - 1));
        return new Intervals(resamples, accuracy[lo], accuracy[hi], ratio[lo], ratio[hi],
                new PolicyScore(n, 0, 0, cost[lo]).costPer1k(), new PolicyScore(n, 0, 0, cost[hi]).costPer1k());
    }
}
