package dev.cascade.ctl;

import dev.cascade.ctl.calibration.Calibrator;
import dev.cascade.ctl.calibration.LeaveOneStratumOut;
import dev.cascade.ctl.calibration.PolicyScore;
import dev.cascade.ctl.calibration.Reweighting;
import dev.cascade.ctl.calibration.StratifiedScore;
import dev.cascade.ctl.calibration.Strata;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The stratified lines of {@code cascadectl calibrate}'s report: the policy per stratum, the held-out answers
 * reweighted to shifted mixes, each stratum held out in turn, and what the stratum constraints cost.
 */
final class StrataReport {
    private final PrintStream out;
    private final String terminal;
    private final String field;

    StrataReport(PrintStream out, String terminal, String field) {
        this.out = out;
        this.terminal = terminal;
        this.field = field;
    }

    void strata(Strata strata, StratifiedScore terminalAlone, boolean constrained) {
        out.printf(Locale.ROOT, "strata by %s, %s: %s%n", field, constrained
                        ? "accuracy constrained within each as well as pooled"
                        : "reported only (--strata none: accuracy constrained pooled only)",
                IntStream.range(0, strata.count()).mapToObj(s -> strata.name(s) + " "
                        + terminalAlone.byStratum().get(s).queries()).collect(Collectors.joining(", ")));
    }

    /** One line per stratum: accuracy, ratio to the terminal, cost and its share of the terminal's. */
    void byStratum(String title, StratifiedScore policy, StratifiedScore terminalAlone) {
        out.printf(Locale.ROOT, "%s by %s:%n", title, field);
        for (int s = 0; s < policy.strata().size(); s++) {
            PolicyScore p = policy.byStratum().get(s);
            PolicyScore t = terminalAlone.byStratum().get(s);
            if (p.queries() == 0) {
                continue;
            }
            out.printf(Locale.ROOT, "      %-22s %5d queries  accuracy %.4f (%5.1f%% of %s)  %s USD per 1k (%.1f%% "
                            + "of its cost)%n", policy.strata().get(s), p.queries(), p.accuracy(), 100 * p.ratio(),
                    terminal, usd(p.costPer1k()), 100 * share(p.costFemto(), t.costFemto()));
        }
    }

    /** The held-out answers under shifted mixes: each stratum doubled, each removed, the worst pair and box. */
    void mixes(StratifiedScore heldOut, StratifiedScore terminalAlone) {
        int n = heldOut.strata().size();
        out.printf(Locale.ROOT, "    shifted mixes (held-out answers reweighted; %% of %s's accuracy and cost in "
                + "the same mix):%n", terminal);
        mix("as in the file", Reweighting.apply(heldOut, terminalAlone, Reweighting.observed(heldOut)));
        List<Reweighting.Result> pairs = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            if (Reweighting.observed(heldOut).shares().get(s) <= 0.5) {
                mix(null, Reweighting.apply(heldOut, terminalAlone, Reweighting.scaled(heldOut, s, 2)));
            }
            mix(null, Reweighting.apply(heldOut, terminalAlone, Reweighting.scaled(heldOut, s, 0)));
            for (int g = 0; g < n; g++) {
                Reweighting.Mix m = g == s ? null : Reweighting.doubledAndRemoved(heldOut, s, g);
                if (m != null) {
                    pairs.add(Reweighting.apply(heldOut, terminalAlone, m));
                }
            }
        }
        pairs.stream().min((a, b) -> Double.compare(a.ratio(), b.ratio())).ifPresent(r ->
                mix("worst pair: " + r.mix().name(), r));
        if (n <= 16) {
            Reweighting.Result worst = Reweighting.worstWithin(heldOut, terminalAlone, 2);
            mix("worst mix, every share 0..2x the file's", worst);
            out.printf(Locale.ROOT, "        that mix: %s%n", IntStream.range(0, n).filter(s ->
                    worst.mix().shares().get(s) > 0).mapToObj(s -> String.format(Locale.ROOT, "%s %.2f",
                    heldOut.strata().get(s), worst.mix().shares().get(s))).collect(Collectors.joining(", ")));
        }
    }

    private void mix(String label, Reweighting.Result r) {
        out.printf(Locale.ROOT, "      %-46s %5.1f%% of %s, %s USD per 1k (%.1f%% of its cost)%n",
                label == null ? r.mix().name() : label, 100 * r.ratio(), terminal, usd(r.costPer1k()),
                100 * r.costShare());
    }

    void leaveOneOut(List<LeaveOneStratumOut.HeldOut> heldOut) {
        if (heldOut.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "  leave one %s out (chosen on the other strata, scored on the one held out):%n",
                field);
        for (LeaveOneStratumOut.HeldOut h : heldOut) {
            out.printf(Locale.ROOT, "    %-22s %5.1f%% of %s, %s USD per 1k (%.1f%% of its cost)  %s%n",
                    h.stratum(), 100 * h.score().ratio(), terminal, usd(h.score().costPer1k()), 100 * h.costShare(),
                    CalibrateCommand.describe(h.chosen().tiers()));
        }
    }

    /** The policy the pooled constraint alone would choose, and what the stratum constraints add to the cost. */
    void robustness(Calibrator.Choice pooledOnly, StratifiedScore pooledOnlyByStratum, Calibrator.Choice chosen,
                    PolicyScore terminalAlone) {
        int worst = pooledOnlyByStratum.worst();
        PolicyScore p = pooledOnly.inSample();
        out.printf(Locale.ROOT, "  the pooled constraint alone (--strata none) would choose %s:%n",
                CalibrateCommand.describe(pooledOnly.tiers()));
        out.printf(Locale.ROOT, "    in sample %.1f%% of %s at %s USD per 1k (%.1f%% of its cost), worst %s %s at "
                        + "%.1f%%; the stratum constraints cost %+.1f%%%n", 100 * p.ratio(), terminal,
                usd(p.costPer1k()), 100 * share(p.costFemto(), terminalAlone.costFemto()), field,
                pooledOnlyByStratum.strata().get(worst), 100 * pooledOnlyByStratum.byStratum().get(worst).ratio(),
                100 * (share(chosen.inSample().costFemto(), p.costFemto()) - 1));
    }

    private static double share(long cost, long of) {
        return of == 0 ? 0 : cost / (double) of;
    }

    static String usd(BigDecimal v) {
        return v.round(new MathContext(5)).toPlainString();
    }
}
