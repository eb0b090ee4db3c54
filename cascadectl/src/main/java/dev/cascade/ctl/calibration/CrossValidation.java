package dev.cascade.ctl.calibration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * K-fold cross-validation of the calibrator inside one file: each fold's policy is chosen on the other folds and
 * scored on it. Folds are stratified by the queries' {@code task}, so every fold has the file's mix of tasks. The
 * held-out answers are also kept per stratum (the settings' strata), which {@link Reweighting} turns into other mixes.
 */
public final class CrossValidation {
    /** One fold: the policy chosen without it and how that policy did on it. */
    public record Fold(int index, Calibrator.Choice chosen, PolicyScore heldOut) {
    }

    /** All folds and their held-out results, pooled and per stratum. */
    public record Report(List<Fold> folds, StratifiedScore byStratum) {
        public PolicyScore pooled() {
            return byStratum.pooled();
        }

        public double worstFoldRatio() {
            return folds.stream().mapToDouble(f -> f.heldOut().ratio()).min().orElse(0);
        }
    }

    private CrossValidation() {
    }

    public static Report run(List<QueryOutcomes> queries, CalibratorSettings settings, int k, long seed) {
        return run(queries, settings, k, seed, Calibrator.strata(queries, settings));
    }

    /** Held-out answers grouped by {@code reportBy}, which may differ from the strata the calibrator constrains. */
    public static Report run(List<QueryOutcomes> queries, CalibratorSettings settings, int k, long seed,
                             Strata reportBy) {
        OutcomeMatrix matrix = Calibrator.matrix(queries, settings);
        Strata strata = reportBy;
        int[] foldOf = folds(queries, k, seed);
        Calibrator calibrator = Calibrator.over(matrix, Calibrator.strata(queries, settings), settings);
        List<Fold> folds = new ArrayList<>();
        StratifiedScore pooled = StratifiedScore.empty(strata);
        for (int f = 0; f < k; f++) {
            int[] train = rows(foldOf, f, false);
            int[] test = rows(foldOf, f, true);
            Calibrator.Choice chosen = calibrator.choose(train);
            StratifiedScore heldOut = StratifiedScore.of(new PolicyRun(matrix, test, chosen.tiers(),
                    settings.terminal()), test, strata);
            folds.add(new Fold(f, chosen, heldOut.pooled()));
            pooled = pooled.plus(heldOut);
        }
        return new Report(folds, pooled);
    }

    /** A fold number per query: within each task the queries are shuffled and dealt out in turn. */
    static int[] folds(List<QueryOutcomes> queries, int k, long seed) {
        if (k < 2 || k > queries.size()) {
            throw new IllegalArgumentException("folds must be between 2 and the number of queries ("
                    + queries.size() + "), got " + k);
        }
        Map<String, List<Integer>> byTask = new LinkedHashMap<>();
        for (int i = 0; i < queries.size(); i++) {
            String task = queries.get(i).task() == null ? "" : queries.get(i).task();
            byTask.computeIfAbsent(task, t -> new ArrayList<>()).add(i);
        }
        Random random = new Random(seed);
        int[] foldOf = new int[queries.size()];
        int next = 0;
        for (List<Integer> members : byTask.values()) {
            Collections.shuffle(members, random);
            for (int i : members) {
                foldOf[i] = next++ % k;
            }
        }
        return foldOf;
    }

    private static int[] rows(int[] foldOf, int fold, boolean in) {
        return IntStream.range(0, foldOf.length).filter(i -> (foldOf[i] == fold) == in).toArray();
    }
}
