package dev.cascade.ctl.calibration;

import java.util.List;

/**
 * What {@link Calibrator} searches and under which constraints. Immutable; the constructor rejects what it cannot
 * search, naming the value.
 *
 * @param terminal      the model whose accuracy is the reference and which ends every chain
 * @param target        the fraction of the terminal's accuracy to keep, in (0, 1]
 * @param candidates    models that may precede the terminal; tried in order of mean cost
 * @param maxTiers      the longest chain, terminal included
 * @param fixedChain    when true, {@code candidates} is the exact chain and only thresholds are searched
 * @param z             the pooled safety margin in standard errors (0 = constraint on the point estimate)
 * @param gridSize      how many confidence quantiles are tried as each tier's threshold
 * @param strata        the label field whose values are the strata, or {@link Strata#NONE} for pooled only
 * @param stratumZ      the safety margin within each stratum, in standard errors
 * @param minStratum    strata smaller than this are merged ({@link Strata}) and not constrained on their own
 */
public record CalibratorSettings(String terminal, double target, List<String> candidates, int maxTiers,
                       boolean fixedChain, double z, int gridSize, String strata, double stratumZ,
                       int minStratum) {
    public static final int DEFAULT_MAX_TIERS = 4;
    public static final double DEFAULT_Z = 2.0;
    public static final int DEFAULT_GRID = 20;
    public static final String DEFAULT_STRATA = "task";
    /**
     * Half the pooled margin. Per-stratum margins of {@code z_s} standard errors give a mix of strata a margin
     * of {@code z_s * sum(w_s * se_s)} against a mix standard error of {@code sqrt(sum(w_s^2 * se_s^2))}: with
     * equal errors, a mix spread evenly over four strata (one of five removed) keeps the full pooled margin
     * {@code 2 * z_s}, the 2x-shifted mixes keep about {@code 1.7 * z_s}, and a single stratum {@code z_s}.
     */
    public static final double DEFAULT_STRATUM_Z = 1.0;
    /** Below this, a label's queries carry no constraint of their own (a 1-SE margin would exceed 4 points). */
    public static final int DEFAULT_MIN_STRATUM = 50;

    public CalibratorSettings {
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
        if (!(stratumZ >= 0)) {
            throw new IllegalArgumentException("stratum z must be >= 0, got " + stratumZ);
        }
        if (gridSize < 2) {
            throw new IllegalArgumentException("grid size must be at least 2, got " + gridSize);
        }
        if (minStratum < 1) {
            throw new IllegalArgumentException("min stratum must be at least 1, got " + minStratum);
        }
        if (strata == null || strata.isBlank()) {
            throw new IllegalArgumentException("a strata field is required ('" + Strata.NONE + "' for none)");
        }
        candidates = List.copyOf(candidates);
        if (candidates.contains(terminal)) {
            throw new IllegalArgumentException("the terminal model '" + terminal + "' cannot also be a "
                    + "candidate before it");
        }
    }

    /** Pooled constraint only, as before strata existed. */
    public CalibratorSettings(String terminal, double target, List<String> candidates, int maxTiers, boolean fixedChain,
                    double z, int gridSize) {
        this(terminal, target, candidates, maxTiers, fixedChain, z, gridSize, Strata.NONE, DEFAULT_STRATUM_Z,
                DEFAULT_MIN_STRATUM);
    }

    /** The same search with other strata settings. */
    public CalibratorSettings withStrata(String field, double stratumMargin, int minimum) {
        return new CalibratorSettings(terminal, target, candidates, maxTiers, fixedChain, z, gridSize, field,
                stratumMargin, minimum);
    }

    public boolean stratified() {
        return !strata.equals(Strata.NONE);
    }
}
