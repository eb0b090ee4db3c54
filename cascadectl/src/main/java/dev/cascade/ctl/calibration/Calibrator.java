package dev.cascade.ctl.calibration;

import dev.cascade.core.TierStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Chooses a cascade from recorded outcomes: which tiers (a subset of the candidates in order of mean cost, ending
 * with the terminal model) and which thresholds minimise the expected cost per query while the accuracy stays at or
 * above {@code target x} the terminal model's accuracy on the same queries. Pure: no clock, no I/O.
 *
 * <p>The search is exhaustive over a coarse grid. Each tier's candidate thresholds are quantiles of its own
 * confidence on the file (so a model whose confidence sits between 0.95 and 1.0 gets thresholds there), and the
 * number of tiers is capped: both limit how finely the policy can fit the noise of one file.
 *
 * <p>Overfitting guard: the accuracy constraint is not met on the point estimate but with a margin of
 * {@code z} standard errors of the paired per-query difference {@code correct(policy) - target x correct(terminal)}.
 * Held-out folds see the policy's accuracy scatter by about that standard error around its in-sample value, so a
 * policy chosen right at the edge fails the target on new queries about half the time; the margin buys that back
 * at the least cost, and it shrinks as the file grows. Cross-validation ({@link CrossValidation}) checks the result.
 *
 * <p>Shift guard: a pooled constraint lets a stratum the policy serves well pay for one it serves badly, and the
 * promise breaks when traffic shifts toward the second. With strata (the {@code task} field by default, see
 * {@link Strata}) the constraint must also hold within each stratum, with its own margin ({@link AccuracyConstraint});
 * {@link LeaveOneStratumOut} and {@link Reweighting} check the result on held-out strata and shifted mixes.
 */
public final class Calibrator {
    /** The chosen policy and how it did on the queries it was chosen on. */
    public record Choice(List<TierStep> tiers, PolicyScore inSample) {
        public Choice {
            tiers = List.copyOf(tiers);
        }
    }

    private final OutcomeMatrix matrix;
    private final Strata strata;
    private final CalibratorSettings settings;

    private Calibrator(OutcomeMatrix matrix, Strata strata, CalibratorSettings settings) {
        this.matrix = matrix;
        this.strata = strata;
        this.settings = settings;
    }

    /** Chooses on every query of the file. */
    public static Choice choose(List<QueryOutcomes> queries, CalibratorSettings settings) {
        OutcomeMatrix m = matrix(queries, settings);
        return over(m, strata(queries, settings), settings).choose(allRows(m.queries));
    }

    /** A given policy replayed on the queries (thresholds as in the router: accept at or above). */
    public static PolicyScore replay(List<QueryOutcomes> queries, List<TierStep> tiers, String terminal) {
        OutcomeMatrix m = replayMatrix(queries, tiers, terminal);
        return new PolicyRun(m, allRows(m.queries), tiers, terminal).score();
    }

    /** A given policy replayed on the queries, scored within each stratum and pooled. */
    public static StratifiedScore replay(List<QueryOutcomes> queries, List<TierStep> tiers, String terminal,
                                         Strata strata) {
        OutcomeMatrix m = replayMatrix(queries, tiers, terminal);
        int[] rows = allRows(m.queries);
        return StratifiedScore.of(new PolicyRun(m, rows, tiers, terminal), rows, strata);
    }

    public static Strata strata(List<QueryOutcomes> queries, CalibratorSettings settings) {
        return Strata.of(queries, settings.strata(), settings.minStratum());
    }

    private static OutcomeMatrix replayMatrix(List<QueryOutcomes> queries, List<TierStep> tiers, String terminal) {
        List<String> models = new ArrayList<>(tiers.stream().map(TierStep::tier).toList());
        if (!models.contains(terminal)) {
            models.add(terminal);
        }
        return new OutcomeMatrix(queries, models);
    }

    static OutcomeMatrix matrix(List<QueryOutcomes> queries, CalibratorSettings settings) {
        List<String> models = new ArrayList<>(settings.candidates());
        models.add(settings.terminal());
        return new OutcomeMatrix(queries, models);
    }

    static Calibrator over(OutcomeMatrix matrix, Strata strata, CalibratorSettings settings) {
        return new Calibrator(matrix, strata, settings);
    }

    static int[] allRows(int n) {
        int[] rows = new int[n];
        Arrays.setAll(rows, i -> i);
        return rows;
    }

    /** Chooses on the given rows of the matrix (a training set). */
    Choice choose(int[] rows) {
        int terminal = matrix.index(settings.terminal());
        ThresholdSearch search = new ThresholdSearch(matrix, strata, rows, terminal, settings);
        for (int[] chain : chains(rows, terminal)) {
            double[][] grids = new double[chain.length - 1][];
            for (int i = 0; i < chain.length - 1; i++) {
                grids[i] = grid(chain[i], rows);
            }
            search.run(chain, grids, rows);
        }
        return search.best();
    }

    /** Candidate chains: subsets of the candidates in order of mean cost, each ending with the terminal. */
    private List<int[]> chains(int[] rows, int terminal) {
        List<Integer> ordered = new ArrayList<>();
        for (String c : settings.candidates()) {
            ordered.add(matrix.index(c));
        }
        List<int[]> chains = new ArrayList<>();
        if (settings.fixedChain()) {
            int[] chain = new int[ordered.size() + 1];
            for (int i = 0; i < ordered.size(); i++) {
                chain[i] = ordered.get(i);
            }
            chain[ordered.size()] = terminal;
            chains.add(chain);
            return chains;
        }
        long[] meanCost = new long[matrix.models.size()];
        for (int m : ordered) {
            for (int r : rows) {
                meanCost[m] += matrix.costFemto[m][r];
            }
        }
        ordered.sort(Comparator.comparingLong(m -> meanCost[m]));
        int n = ordered.size();
        for (int mask = 1; mask < (1 << n); mask++) {
            if (Integer.bitCount(mask) > settings.maxTiers() - 1) {
                continue;
            }
            int[] chain = new int[Integer.bitCount(mask) + 1];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if ((mask & (1 << i)) != 0) {
                    chain[k++] = ordered.get(i);
                }
            }
            chain[k] = terminal;
            chains.add(chain);
        }
        return chains;
    }

    /**
     * A model's candidate thresholds on the rows, highest first: for each of its confidence quantiles, the midpoint
     * between that value and the next lower one seen. The same answers are accepted as at the quantile itself, but a
     * new query (or a confidence recovered from logprobs with rounding) on the edge falls on the side the data put it.
     */
    private double[] grid(int model, int[] rows) {
        double[] c = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            c[i] = matrix.confidence[model][rows[i]];
        }
        Arrays.sort(c);
        TreeSet<Double> values = new TreeSet<>(Comparator.reverseOrder());
        int g = settings.gridSize();
        for (int k = 1; k < g; k++) {
            int at = Math.min(c.length - 1, (int) Math.floor((double) k * c.length / g));
            double v = c[at];
            int below = at;
            while (below > 0 && c[below - 1] == v) {
                below--;
            }
            if (below == 0) {
                continue; // accepting every answer of a tier that is not terminal makes it the terminal
            }
            values.add((v + c[below - 1]) / 2);
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
