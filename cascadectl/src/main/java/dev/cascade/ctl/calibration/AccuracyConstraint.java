package dev.cascade.ctl.calibration;

/**
 * The calibrator's accuracy constraint on one training set, pooled and within each stratum. For a group of {@code n}
 * queries let {@code d_i = p_i - t * q_i} (p: the policy answered right, q: the terminal did, t: the target). The
 * group holds when {@code mean(d) >= z * se}, {@code se = sqrt(var(d) / n)}: the policy keeps {@code t} of the
 * terminal's accuracy by a margin of {@code z} standard errors of the paired difference.
 *
 * <p>Pooled over the training set the margin is {@code z}; within each stratum it is {@code stratumZ}. A stratum's
 * variance is shrunk toward the pooled variance of the same policy, as if the pooled figure were {@code prior}
 * further queries of the stratum: a stratum of a few dozen queries on which the policy happens to agree with the
 * terminal everywhere has a sample variance near 0 and would otherwise get no margin at all. Strata with fewer than
 * {@code minStratum} training queries are not constrained on their own (they still count in the pooled group).
 * Not thread-safe: one instance per search.
 */
final class AccuracyConstraint {
    /**
     * Pseudo-queries of pooled variance added to each stratum's own: small beside a stratum of hundreds of queries,
     * decisive for one of a few dozen, whose sample variance is itself uncertain by a factor of about sqrt(2 / n).
     */
    static final int PRIOR_QUERIES = 30;

    private final double target;
    private final double z;
    private final double stratumZ;
    private final int strata;
    private final long[] n;
    private final long[] terminalCorrect;
    private final boolean[] constrained;

    /**
     * @param sizes           training queries per stratum
     * @param terminalCorrect per stratum, how many of them the terminal answered right
     */
    AccuracyConstraint(double target, double z, double stratumZ, int minStratum, int[] sizes, long[] terminalCorrect) {
        this.target = target;
        this.z = z;
        this.stratumZ = stratumZ;
        this.strata = sizes.length;
        this.n = new long[strata + 1];
        this.terminalCorrect = new long[strata + 1];
        this.constrained = new boolean[strata];
        for (int s = 0; s < strata; s++) {
            n[s] = sizes[s];
            this.terminalCorrect[s] = terminalCorrect[s];
            n[strata] += sizes[s];
            this.terminalCorrect[strata] += terminalCorrect[s];
            // a single stratum is the pooled group: constraining it again would only repeat the pooled check
            constrained[s] = sizes.length > 1 && sizes[s] >= minStratum;
        }
    }

    /** Index of the pooled group in the count arrays. */
    int pooled() {
        return strata;
    }

    long terminalCorrect(int group) {
        return terminalCorrect[group];
    }

    /**
     * @param correct per stratum and pooled last, how many the policy answered right
     * @param both    the same for queries both the policy and the terminal answered right
     */
    boolean holds(long[] correct, long[] both) {
        double pooledVariance = variance(strata, correct[strata], both[strata]);
        if (!meets(strata, correct[strata], pooledVariance, z)) {
            return false;
        }
        for (int s = 0; s < strata; s++) {
            if (constrained[s]) {
                double var = (n[s] * variance(s, correct[s], both[s]) + PRIOR_QUERIES * pooledVariance)
                        / (n[s] + PRIOR_QUERIES);
                if (!meets(s, correct[s], var, stratumZ)) {
                    return false;
                }
            }
        }
        return true;
    }

    private double mean(int g, long correct) {
        return (correct - target * terminalCorrect[g]) / n[g];
    }

    /** var(d) = mean(d^2) - mean(d)^2 with sum d_i^2 = P - 2t * B + t^2 * Q (B: both right). */
    private double variance(int g, long correct, long both) {
        if (n[g] == 0) {
            return 0;
        }
        double mean = mean(g, correct);
        double meanSquare = (correct - 2 * target * both + target * target * terminalCorrect[g]) / n[g];
        return Math.max(0, meanSquare - mean * mean);
    }

    private boolean meets(int g, long correct, double variance, double margin) {
        if (n[g] == 0) {
            return true;
        }
        double mean = mean(g, correct);
        return mean >= 0 && mean >= margin * Math.sqrt(variance / n[g]);
    }
}
