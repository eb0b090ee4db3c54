package dev.cascade.ctl.calibration;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A policy's result under another traffic mix, computed from its per-stratum scores: with shares {@code w_s} of
 * the strata, accuracy {@code sum w_s * correct_s / n_s}, the terminal's the same with its correct answers, the
 * ratio of the two, and cost per query {@code sum w_s * cost_s / n_s} (likewise for the terminal alone). Scored on
 * held-out answers (the cross-validation folds') this says what the policy keeps when one stratum's share doubles
 * or another's vanishes. Pure.
 */
public final class Reweighting {
    /** Shares of the strata (in their order), summing to 1. */
    public record Mix(String name, List<Double> shares) {
        public Mix {
            shares = List.copyOf(shares);
            double sum = shares.stream().mapToDouble(Double::doubleValue).sum();
            if (Math.abs(sum - 1) > 1e-9 || shares.stream().anyMatch(w -> !(w >= 0))) {
                throw new IllegalArgumentException("mix '" + name + "' needs shares >= 0 summing to 1, got " + shares);
            }
        }
    }

    /** The policy and the terminal alone under one mix; costs per 1k queries rounded to 16 digits. */
    public record Result(Mix mix, double accuracy, double terminalAccuracy, BigDecimal costPer1k,
                         BigDecimal terminalCostPer1k) {
        public double ratio() {
            return terminalAccuracy == 0 ? 0 : accuracy / terminalAccuracy;
        }

        public double costShare() {
            return terminalCostPer1k.signum() == 0 ? 0 : costPer1k.doubleValue() / terminalCostPer1k.doubleValue();
        }
    }

    private Reweighting() {
    }

    /**
     * @param policy   the policy's scores per stratum
     * @param terminal the terminal alone on the same queries, per stratum
     */
    public static Result apply(StratifiedScore policy, StratifiedScore terminal, Mix mix) {
        int strata = policy.strata().size();
        if (mix.shares().size() != strata || !terminal.strata().equals(policy.strata())) {
            throw new IllegalArgumentException("mix '" + mix.name() + "' has " + mix.shares().size()
                    + " shares for strata " + policy.strata());
        }
        double accuracy = 0;
        double terminalAccuracy = 0;
        BigDecimal cost = BigDecimal.ZERO;
        BigDecimal terminalCost = BigDecimal.ZERO;
        for (int s = 0; s < strata; s++) {
            double w = mix.shares().get(s);
            if (w == 0) {
                continue;
            }
            PolicyScore p = policy.byStratum().get(s);
            if (p.queries() == 0) {
                throw new IllegalArgumentException("mix '" + mix.name() + "' gives a share to stratum '"
                        + policy.strata().get(s) + "', which has no queries");
            }
            accuracy += w * p.accuracy();
            terminalAccuracy += w * p.terminalCorrect() / p.queries();
            cost = cost.add(perQuery(p.costFemto(), p.queries(), w));
            terminalCost = terminalCost.add(perQuery(terminal.byStratum().get(s).costFemto(), p.queries(), w));
        }
        BigDecimal thousand = BigDecimal.valueOf(1000);
        return new Result(mix, accuracy, terminalAccuracy, cost.multiply(thousand).round(MathContext.DECIMAL64),
                terminalCost.multiply(thousand).round(MathContext.DECIMAL64));
    }

    private static BigDecimal perQuery(long costFemto, int queries, double share) {
        return OutcomeMatrix.fromFemto(costFemto).multiply(new BigDecimal(share))
                .divide(BigDecimal.valueOf(queries), MathContext.DECIMAL128);
    }

    /** The shares of the strata in the scored queries. */
    public static Mix observed(StratifiedScore score) {
        List<Double> shares = new ArrayList<>();
        for (PolicyScore p : score.byStratum()) {
            shares.add(p.queries() / (double) score.pooled().queries());
        }
        return new Mix("as scored", shares);
    }

    /** One stratum's share multiplied by {@code factor} (at most 1), the others scaled to fill the rest. */
    public static Mix scaled(StratifiedScore score, int stratum, double factor) {
        List<Double> base = observed(score).shares();
        double share = Math.min(1, base.get(stratum) * factor);
        double rest = 1 - base.get(stratum);
        List<Double> shares = new ArrayList<>();
        for (int s = 0; s < base.size(); s++) {
            shares.add(s == stratum ? share : rest == 0 ? 0 : base.get(s) * (1 - share) / rest);
        }
        String name = score.strata().get(stratum) + (factor == 0 ? " removed" : " x" + trim(factor));
        return new Mix(name, shares);
    }

    /**
     * Stratum {@code up}'s share doubled and stratum {@code gone}'s removed, the others scaled to fill the rest; null
     * when no such mix exists (doubling needs room the others can give).
     */
    public static Mix doubledAndRemoved(StratifiedScore score, int up, int gone) {
        List<Double> base = observed(score).shares();
        double share = 2 * base.get(up);
        double others = 1 - base.get(up) - base.get(gone);
        if (share > 1 || others <= 0 && share < 1) {
            return null;
        }
        List<Double> shares = new ArrayList<>();
        for (int s = 0; s < base.size(); s++) {
            shares.add(s == up ? share : s == gone || others <= 0 ? 0 : base.get(s) * (1 - share) / others);
        }
        return new Mix(score.strata().get(up) + " x2, " + score.strata().get(gone) + " removed", shares);
    }

    /**
     * The mix with the lowest ratio among all that give each stratum between 0 and {@code factor} times its share.
     * The ratio is linear-fractional in the shares, so its minimum over that polytope sits at a vertex: every stratum
     * but one at a bound, the last one taking what is left. All vertices are tried (at most 16 strata).
     */
    public static Result worstWithin(StratifiedScore policy, StratifiedScore terminal, double factor) {
        List<Double> base = observed(policy).shares();
        int strata = base.size();
        if (strata > 16) {
            throw new IllegalArgumentException("the worst mix is searched over at most 16 strata, got " + strata);
        }
        Result worst = null;
        for (int free = 0; free < strata; free++) {
            for (int mask = 0; mask < (1 << strata); mask++) {
                if ((mask & (1 << free)) != 0) {
                    continue;
                }
                double[] w = new double[strata];
                double used = 0;
                for (int s = 0; s < strata; s++) {
                    if ((mask & (1 << s)) != 0) {
                        w[s] = Math.min(1, factor * base.get(s));
                        used += w[s];
                    }
                }
                w[free] = 1 - used;
                if (w[free] < -1e-12 || w[free] > Math.min(1, factor * base.get(free)) + 1e-12) {
                    continue;
                }
                w[free] = Math.max(0, w[free]);
                List<Double> shares = Arrays.stream(w).boxed().toList();
                Result r = apply(policy, terminal, new Mix("worst with shares in [0, " + trim(factor) + "x]",
                        shares));
                if (worst == null || r.ratio() < worst.ratio()) {
                    worst = r;
                }
            }
        }
        return worst;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
