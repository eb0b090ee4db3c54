package dev.cascade.ctl.calibration;

import dev.cascade.core.TierStep;
import java.util.ArrayList;
import java.util.List;

/**
 * Validation against the risk a random fold cannot show: a stratum the policy never saw. For each stratum, the
 * policy is chosen on every other stratum's queries (same settings, so still constrained within each of those) and
 * scored on the held-out stratum, next to the terminal alone on the same queries. Pure.
 */
public final class LeaveOneStratumOut {
    /** One held-out stratum: the policy chosen without it, its score there and the terminal's cost there. */
    public record HeldOut(String stratum, Calibrator.Choice chosen, PolicyScore score, PolicyScore terminalAlone) {
        /** The policy's cost as a fraction of the terminal's on the held-out stratum. */
        public double costShare() {
            return terminalAlone.costFemto() == 0 ? 0 : score.costFemto() / (double) terminalAlone.costFemto();
        }
    }

    private LeaveOneStratumOut() {
    }

    /** One entry per stratum with queries, in the strata's order; empty when there is a single stratum. */
    public static List<HeldOut> run(List<QueryOutcomes> queries, CalibratorSettings settings) {
        return run(queries, settings, Calibrator.strata(queries, settings));
    }

    /** Holds out each of {@code heldOut}'s strata, which may differ from the strata the calibrator constrains. */
    public static List<HeldOut> run(List<QueryOutcomes> queries, CalibratorSettings settings, Strata heldOut) {
        OutcomeMatrix matrix = Calibrator.matrix(queries, settings);
        Strata strata = heldOut;
        Calibrator calibrator = Calibrator.over(matrix, Calibrator.strata(queries, settings), settings);
        List<HeldOut> out = new ArrayList<>();
        if (strata.count() < 2) {
            return out;
        }
        for (int s = 0; s < strata.count(); s++) {
            int[] test = strata.rows(s, true);
            if (test.length == 0) {
                continue;
            }
            Calibrator.Choice chosen = calibrator.choose(strata.rows(s, false));
            PolicyScore score = new PolicyRun(matrix, test, chosen.tiers(), settings.terminal()).score();
            PolicyScore terminal = new PolicyRun(matrix, test, List.of(new TierStep(
                    settings.terminal(), null)), settings.terminal()).score();
            out.add(new HeldOut(strata.name(s), chosen, score, terminal));
        }
        return out;
    }
}
