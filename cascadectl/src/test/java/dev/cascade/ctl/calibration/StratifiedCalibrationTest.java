package dev.cascade.ctl.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cascade.core.TierStep;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stratified constraint: a policy must keep the target within each stratum as well as pooled. */
class StratifiedCalibrationTest {
    /** Where tiny's confidence separates right from wrong, and it is nearly always right. */
    private static final GeneratedOutcomes.Profile TINY_EASY = new GeneratedOutcomes.Profile("tiny", 0.97,
            "0.000001", 0.7, 1.0, 0.0, 0.5, 20);
    /** Where tiny is right 88 % of the time and equally sure either way: confidently wrong. */
    private static final GeneratedOutcomes.Profile TINY_HARD = new GeneratedOutcomes.Profile("tiny", 0.75,
            "0.000001", 0.75, 1.0, 0.75, 1.0, 20);
    private static final GeneratedOutcomes.Profile BIG = new GeneratedOutcomes.Profile("big", 0.9, "0.0001",
            0.5, 1.0, 0.5, 1.0, 300);

    static List<QueryOutcomes> easyAndHard(long seed) {
        List<QueryOutcomes> all = new ArrayList<>(GeneratedOutcomes.generate(1500, seed, List.of(TINY_EASY, BIG),
                "easy"));
        all.addAll(GeneratedOutcomes.generate(300, seed + 1000, List.of(TINY_HARD, BIG), "hard"));
        return all;
    }

    private static CalibratorSettings settings(String strata) {
        return new CalibratorSettings("big", 0.97, List.of("tiny"), 4, false, 2, 20).withStrata(strata, 1, 50);
    }

    @Test
    void shouldRejectAPolicyThatHoldsPooledButFailsWithinAStratum() {
        List<QueryOutcomes> queries = easyAndHard(1);
        Strata byTask = Strata.of(queries, "task", 50);

        Calibrator.Choice pooled = Calibrator.choose(queries, settings(Strata.NONE));
        StratifiedScore pooledByTask = Calibrator.replay(queries, pooled.tiers(), "big", byTask);
        // the pooled constraint lets the easy queries pay for the hard ones
        assertThat(pooled.inSample().ratio()).isGreaterThanOrEqualTo(0.97);
        assertThat(pooledByTask.stratum("hard").ratio()).isLessThan(0.95);

        Calibrator.Choice stratified = Calibrator.choose(queries, settings("task"));
        StratifiedScore byStratum = Calibrator.replay(queries, stratified.tiers(), "big", byTask);
        assertThat(byStratum.stratum("hard").ratio()).isGreaterThanOrEqualTo(0.97);
        assertThat(byStratum.stratum("easy").ratio()).isGreaterThanOrEqualTo(0.97);
        assertThat(stratified.inSample().costFemto()).isGreaterThan(pooled.inSample().costFemto());

        // and on fresh queries of the same kinds, the hard stratum keeps its target only under the stratified policy
        List<QueryOutcomes> fresh = easyAndHard(77);
        Strata freshByTask = Strata.of(fresh, "task", 50);
        assertThat(Calibrator.replay(fresh, stratified.tiers(), "big", freshByTask).stratum("hard").ratio())
                .isGreaterThanOrEqualTo(0.95);
        assertThat(Calibrator.replay(fresh, pooled.tiers(), "big", freshByTask).stratum("hard").ratio())
                .isLessThan(0.95);
    }

    @Test
    void shouldCheckEachStratumAgainstItsOwnMargin() {
        // pooled: 187 right of 200 where the terminal has 180; stratum 2 keeps 88 of the terminal's 90
        AccuracyConstraint c = new AccuracyConstraint(0.97, 0, 0, 50, new int[]{100, 100}, new long[]{90, 90});
        assertThat(c.holds(new long[]{99, 88, 187}, new long[]{89, 86, 175})).isTrue();
        // stratum 2 below 97 % of the terminal: rejected although the pooled figure (179 vs 174.6) holds
        assertThat(c.holds(new long[]{99, 80, 179}, new long[]{89, 78, 167})).isFalse();
        // mean(d) in stratum 2 is 0.007, one standard error there is about 0.025: fails with a 1-SE margin
        AccuracyConstraint margin = new AccuracyConstraint(0.97, 0, 1, 50, new int[]{100, 100}, new long[]{90, 90});
        assertThat(margin.holds(new long[]{99, 88, 187}, new long[]{89, 86, 175})).isFalse();
        // a stratum smaller than the minimum is not constrained on its own; the pooled check remains
        AccuracyConstraint small = new AccuracyConstraint(0.97, 0, 1, 101, new int[]{100, 100}, new long[]{90, 90});
        assertThat(small.holds(new long[]{99, 80, 179}, new long[]{89, 78, 167})).isTrue();
        assertThat(small.holds(new long[]{90, 80, 170}, new long[]{89, 78, 167})).isFalse();
    }

    @Test
    void shouldGiveAThinStratumThatAgreesEverywhereAMarginFromThePooledVariance() {
        // 50 queries, all right for both: every d_i is 0.03 and the stratum's own variance is 0
        AccuracyConstraint strict = new AccuracyConstraint(0.97, 2, 1, 50, new int[]{200, 50}, new long[]{150, 50});
        long[] correct = {190, 50, 240};
        long[] both = {150, 50, 200};
        // with the pooled variance (0.127) as 30 pseudo-queries: se = sqrt(0.0476 / 50) = 0.031 > 0.03
        assertThat(strict.holds(correct, both)).isFalse();
        AccuracyConstraint loose = new AccuracyConstraint(0.97, 2, 0.5, 50, new int[]{200, 50}, new long[]{150, 50});
        assertThat(loose.holds(correct, both)).isTrue();
    }

    @Test
    void shouldMergeStrataTooSmallToCarryAConstraint() {
        List<QueryOutcomes> queries = new ArrayList<>();
        queries.addAll(GeneratedOutcomes.generate(60, 1, List.of(BIG), "a"));
        queries.addAll(GeneratedOutcomes.generate(55, 2, List.of(BIG), "b"));
        queries.addAll(GeneratedOutcomes.generate(10, 3, List.of(BIG), "c"));
        queries.add(new QueryOutcomes("no-task", null, queries.get(0).outcomes()));
        Strata strata = Strata.of(queries, "task", 50);
        assertThat(strata.names()).containsExactly("a", "b", Strata.OTHER);
        assertThat(strata.sizes(Calibrator.allRows(queries.size()))).containsExactly(60, 55, 11);
        assertThat(Strata.of(queries, Strata.NONE, 50).count()).isEqualTo(1);
        assertThat(Strata.of(queries, "task", 1).names()).containsExactly("(none)", "a", "b", "c");
    }

    @Test
    void shouldCalibrateOnEveryOtherStratumAndScoreTheOneHeldOutExactly() {
        // a and b: s right and sure (0.9) on three queries, unsure (0.2) and wrong on one; c: s sure and wrong
        List<QueryOutcomes> queries = new ArrayList<>();
        for (String stratum : List.of("a", "b", "c")) {
            for (int i = 0; i < 4; i++) {
                boolean sure = i < 3;
                boolean right = sure && !stratum.equals("c");
                queries.add(HandOutcomes.query(stratum + i, stratum, right, sure ? 0.9 : 0.2));
            }
        }
        CalibratorSettings settings = new CalibratorSettings("g", 0.97, List.of("s"), 2, false, 0, 20)
                .withStrata("task", 0, 1);
        List<LeaveOneStratumOut.HeldOut> held = LeaveOneStratumOut.run(queries, settings);
        assertThat(held).extracting(LeaveOneStratumOut.HeldOut::stratum).containsExactly("a", "b", "c");
        // without a: c forbids trusting s, so g alone: 4 of 4 right at 4 x 0.01
        LeaveOneStratumOut.HeldOut a = held.get(0);
        assertThat(a.chosen().tiers()).extracting(TierStep::tier).containsExactly("g");
        assertThat(a.score()).isEqualTo(new PolicyScore(4, 4, 4, OutcomeMatrix.toFemto(new java.math.BigDecimal(
                "0.04"))));
        assertThat(held.get(1).score()).isEqualTo(a.score());
        // without c: s >= 0.55 holds on a and b; on c it serves three wrong answers, g the fourth
        LeaveOneStratumOut.HeldOut c = held.get(2);
        assertThat(c.chosen().tiers()).containsExactly(new TierStep("s", 0.55), new TierStep("g", null));
        assertThat(c.score()).isEqualTo(new PolicyScore(4, 1, 4, OutcomeMatrix.toFemto(new java.math.BigDecimal(
                "0.014"))));
        assertThat(c.score().ratio()).isEqualTo(0.25);
        assertThat(c.terminalAlone().costFemto()).isEqualTo(OutcomeMatrix.toFemto(new java.math.BigDecimal("0.04")));
        assertThat(c.costShare()).isCloseTo(0.35, within(1e-12));
        // the stratified calibrator on the whole file sees c and keeps g alone
        assertThat(Calibrator.choose(queries, settings).tiers()).extracting(TierStep::tier).containsExactly("g");
    }

    /** A two-model file: "s" costs 0.001, "g" costs 0.01 and is always right. */
    static final class HandOutcomes {
        static QueryOutcomes query(String id, String task, boolean sRight, double sConfidence) {
            return new QueryOutcomes(id, task, java.util.Map.of(
                    "s", new ModelOutcome(sRight, sConfidence, 10, 1, 5, new java.math.BigDecimal("0.001")),
                    "g", new ModelOutcome(true, 0.99, 10, 1, 50, new java.math.BigDecimal("0.01"))));
        }
    }
}
