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
 */
public final class Calibrator {
    /**
     * @param terminal      the model whose accuracy is the reference and which ends every chain
     * @param target        the fraction of the terminal's accuracy to keep, in (0, 1]
     * @param candidates    models that may precede the terminal; tried in order of mean cost
     * @param maxTiers      the longest chain, terminal included
     * @param fixedChain    when true, {@code candidates} is the exact chain and only thresholds are searched
     * @param z             the safety margin in standard errors (0 = constraint on the point estimate)
     * @param gridSize      how many confidence quantiles are tried as each tier's threshold
     */
    public record Settings(String terminal, double target, List<String> candidates, int maxTiers,
                           boolean fixedChain, double z, int gridSize) {
        public static final int DEFAULT_MAX_TIERS = 4;
        public static final double DEFAULT_Z = 2.0;
        public static final int DEFAULT_GRID = 20;

        public Settings {
            if (terminal == null || terminal.isBlank()) {
                throw new IllegalArgumentException("a terminal model is required");
            }
            if (!(target > 0 && target <= 1)) {
                throw new IllegalArgumentException("target quality must be in (0, 1], got " + target);
            }
            if (maxTiers < 1) {
                throw new IllegalArgumentException("max tiers must be at least 1, got " + maxTiers);
            }
            if (!(z >= 0)) {
                throw new IllegalArgumentException("z must be >= 0, got " + z);
            }
            if (gridSize < 2) {
                throw new IllegalArgumentException("grid size must be at least 2, got " + gridSize);
            }
            candidates = List.copyOf(candidates);
            if (candidates.contains(terminal)) {
                throw new IllegalArgumentException("the terminal model '" + terminal + "' cannot also be a "
                        + "candidate before it");
            }
        }
    }

    /** The chosen policy and how it did on the queries it was chosen on. */
    public record Choice(List<TierStep> tiers, PolicyScore inSample) {
        public Choice {
            tiers = List.copyOf(tiers);
        }
    }

    private final OutcomeMatrix matrix;
    private final Settings settings;

    private Calibrator(OutcomeMatrix matrix, Settings settings) {
        this.matrix = matrix;
        this.settings = settings;
    }

    /** Chooses on every query of the file. */
    public static Choice choose(List<QueryOutcomes> queries, Settings settings) {
        OutcomeMatrix m = matrix(queries, settings);
        return new Calibrator(m, settings).choose(allRows(m.queries));
    }

    /** A given policy replayed on the queries (thresholds as in the router: accept at or above). */
    public static PolicyScore replay(List<QueryOutcomes> queries, List<TierStep> tiers, String terminal) {
        List<String> models = new ArrayList<>(tiers.stream().map(TierStep::tier).toList());
        if (!models.contains(terminal)) {
            models.add(terminal);
        }
        OutcomeMatrix m = new OutcomeMatrix(queries, models);
        return new PolicyRun(m, allRows(m.queries), tiers, terminal).score();
    }

    static OutcomeMatrix matrix(List<QueryOutcomes> queries, Settings settings) {
        List<String> models = new ArrayList<>(settings.candidates());
        models.add(settings.terminal());
        return new OutcomeMatrix(queries, models);
    }

    static Calibrator over(OutcomeMatrix matrix, Settings settings) {
        return new Calibrator(matrix, settings);
    }

    static int[] allRows(int n) {
        int[] rows = new int[n];
        Arrays.setAll(rows, i -> i);
        return rows;
    }

    /** Chooses on the given rows of the matrix (a training fold). */
    Choice choose(int[] rows) {
        int terminal = matrix.index(settings.terminal());
        long terminalCorrect = 0;
        long terminalCost = 0;
        for (int r : rows) {
            terminalCorrect += matrix.correct[terminal][r] ? 1 : 0;
            terminalCost += matrix.costFemto[terminal][r];
        }
        Search search = new Search(rows, terminal, terminalCorrect);
        // the terminal alone keeps 100 % of its own accuracy by definition: the fallback when nothing cheaper holds
        search.best = new Choice(List.of(new TierStep(settings.terminal(), null)),
                new PolicyScore(rows.length, terminalCorrect, terminalCorrect, terminalCost));
        for (int[] chain : chains(rows, terminal)) {
            search.run(chain, rows);
        }
        return search.best;
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

    /** One exhaustive pass over a chain's threshold grid, keeping the cheapest feasible policy. */
    private final class Search {
        final int n;
        final int terminal;
        final long terminalCorrect;
        Choice best;
        int[] chain;
        double[] thresholds;
        double[][] grids;

        Search(int[] rows, int terminal, long terminalCorrect) {
            this.n = rows.length;
            this.terminal = terminal;
            this.terminalCorrect = terminalCorrect;
        }

        void run(int[] chain, int[] rows) {
            this.chain = chain;
            this.thresholds = new double[chain.length - 1];
            this.grids = new double[chain.length - 1][];
            for (int i = 0; i < chain.length - 1; i++) {
                grids[i] = grid(chain[i], rows);
            }
            level(0, rows, 0, 0, 0);
        }

        /** Queries in {@code remaining} reach tier {@code level}; correct/both/cost are for those served above. */
        private void level(int level, int[] remaining, long cost, long correct, long both) {
            int m = chain[level];
            long levelCost = 0;
            for (int r : remaining) {
                levelCost += matrix.costFemto[m][r];
            }
            if (best != null && cost + levelCost > best.inSample().costFemto()) {
                return; // every policy below this node costs at least this much
            }
            if (level == chain.length - 1) {
                long c = correct;
                long b = both;
                for (int r : remaining) {
                    if (matrix.correct[m][r]) {
                        c++;
                        b += matrix.correct[terminal][r] ? 1 : 0;
                    }
                }
                consider(cost + levelCost, c, b);
                return;
            }
            Integer[] sorted = new Integer[remaining.length];
            for (int i = 0; i < remaining.length; i++) {
                sorted[i] = remaining[i];
            }
            Arrays.sort(sorted, (a, b) -> Double.compare(matrix.confidence[m][b], matrix.confidence[m][a]));
            int[] order = new int[sorted.length];
            long[] prefixCorrect = new long[sorted.length + 1];
            long[] prefixBoth = new long[sorted.length + 1];
            for (int i = 0; i < sorted.length; i++) {
                int r = sorted[i];
                order[i] = r;
                boolean ok = matrix.correct[m][r];
                prefixCorrect[i + 1] = prefixCorrect[i] + (ok ? 1 : 0);
                prefixBoth[i + 1] = prefixBoth[i] + (ok && matrix.correct[terminal][r] ? 1 : 0);
            }
            int accepted = 0;
            for (double t : grids[level]) {
                while (accepted < order.length && matrix.confidence[m][order[accepted]] >= t) {
                    accepted++;
                }
                thresholds[level] = t;
                level(level + 1, Arrays.copyOfRange(order, accepted, order.length), cost + levelCost,
                        correct + prefixCorrect[accepted], both + prefixBoth[accepted]);
            }
        }

        private void consider(long cost, long correct, long both) {
            if (!feasible(correct, both)) {
                return;
            }
            if (best != null && (cost > best.inSample().costFemto() || cost == best.inSample().costFemto() && correct <= best.inSample().correct())) {
                return;
            }
            List<TierStep> steps = new ArrayList<>();
            for (int i = 0; i < chain.length; i++) {
                String name = matrix.models.get(chain[i]);
                steps.add(new TierStep(name, i == chain.length - 1 ? null : thresholds[i]));
            }
            best = new Choice(steps, new PolicyScore(n, correct, terminalCorrect, cost));
        }

        /**
         * Mean of d_i = p_i - t * q_i (p: policy correct, q: terminal correct) at least z standard errors above 0;
         * sum d_i^2 = P - 2t * B + t^2 * Q with B the queries both got right.
         */
        private boolean feasible(long correct, long both) {
            double t = settings.target();
            double mean = (correct - t * terminalCorrect) / n;
            if (mean < 0) {
                return false;
            }
            double meanSquare = (correct - 2 * t * both + t * t * terminalCorrect) / n;
            double se = Math.sqrt(Math.max(0, meanSquare - mean * mean) / n);
            return mean >= settings.z() * se;
        }
    }
}
