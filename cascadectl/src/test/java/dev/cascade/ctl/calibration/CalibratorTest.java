package dev.cascade.ctl.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.core.PolicyParser;
import dev.cascade.core.TierStep;
import dev.cascade.ctl.CascadeCtl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CalibratorTest {
    private static final GeneratedOutcomes.Profile TINY = new GeneratedOutcomes.Profile("tiny", 0.6, "0.000001",
            0.7, 1.0, 0.0, 0.55, 20);
    private static final GeneratedOutcomes.Profile MID = new GeneratedOutcomes.Profile("mid", 0.8, "0.00001",
            0.6, 1.0, 0.2, 0.7, 60);
    private static final GeneratedOutcomes.Profile NOISY = new GeneratedOutcomes.Profile("noisy", 0.3, "0.00002",
            0.0, 1.0, 0.0, 1.0, 30);
    private static final GeneratedOutcomes.Profile BIG = new GeneratedOutcomes.Profile("big", 0.9, "0.0001",
            0.5, 1.0, 0.5, 1.0, 300);

    private static CalibratorSettings settings(List<String> candidates, double z) {
        return new CalibratorSettings("big", 0.97, candidates, 4, false, z, 20);
    }

    @Test
    void shouldUseACheapTierWhoseConfidenceSeparatesRightFromWrong() {
        List<QueryOutcomes> queries = GeneratedOutcomes.generate(2000, 7, List.of(TINY, BIG));
        Calibrator.Choice c = Calibrator.choose(queries, settings(List.of("tiny"), 2.0));
        assertThat(c.tiers()).extracting(TierStep::tier).containsExactly("tiny", "big");
        // tiny is right with confidence in [0.7, 1] and wrong in [0, 0.55]: the threshold belongs between
        assertThat(c.tiers().get(0).threshold()).isBetween(0.55, 0.75);
        assertThat(c.inSample().ratio()).isGreaterThanOrEqualTo(0.97);
        PolicyScore big = Calibrator.replay(queries, List.of(new TierStep("big", null)), "big");
        assertThat(c.inSample().costFemto()).isLessThan(big.costFemto() / 2);

        // and the choice holds on queries it has not seen
        List<QueryOutcomes> fresh = GeneratedOutcomes.generate(2000, 8, List.of(TINY, BIG));
        assertThat(Calibrator.replay(fresh, c.tiers(), "big").ratio()).isGreaterThanOrEqualTo(0.96);
    }

    @Test
    void shouldLeaveOutATierWhoseConfidenceIsNoise() {
        List<QueryOutcomes> queries = GeneratedOutcomes.generate(2000, 11, List.of(NOISY, BIG));
        Calibrator.Choice c = Calibrator.choose(queries, settings(List.of("noisy"), 2.0));
        assertThat(c.tiers()).extracting(TierStep::tier).containsExactly("big");
        assertThat(c.inSample().ratio()).isEqualTo(1.0);
    }

    @Test
    void shouldKeepTheTargetInSampleAndPayForAWiderMargin() {
        List<QueryOutcomes> queries = GeneratedOutcomes.generate(1500, 3, List.of(TINY, MID, NOISY, BIG));
        List<String> candidates = List.of("tiny", "mid", "noisy");
        Calibrator.Choice loose = Calibrator.choose(queries, settings(candidates, 0));
        Calibrator.Choice safe = Calibrator.choose(queries, settings(candidates, 2));
        assertThat(loose.inSample().ratio()).isGreaterThanOrEqualTo(0.97);
        assertThat(safe.inSample().ratio()).isGreaterThanOrEqualTo(loose.inSample().ratio());
        assertThat(safe.inSample().costFemto()).isGreaterThanOrEqualTo(loose.inSample().costFemto());
        assertThat(safe.tiers().size()).isLessThanOrEqualTo(4);
        // the search's integer money agrees with the exact BigDecimal what-if replay
        WhatIf.Report exact = WhatIf.evaluate(safe.tiers(), queries);
        assertThat(safe.inSample().totalCost()).isEqualByComparingTo(exact.totalCost());
        assertThat(safe.inSample().accuracy()).isEqualTo(exact.accuracy());
    }

    @Test
    void shouldSearchOnlyThresholdsOfAFixedChain() {
        List<QueryOutcomes> queries = GeneratedOutcomes.generate(1000, 5, List.of(TINY, MID, BIG));
        Calibrator.Choice c = Calibrator.choose(queries, new CalibratorSettings("big", 0.97, List.of("mid", "tiny"),
                4, true, 1, 20));
        // fixed order as given, even though tiny is cheaper; or the terminal alone when no threshold holds
        List<String> names = c.tiers().stream().map(TierStep::tier).toList();
        assertThat(names).isIn(List.of("mid", "tiny", "big"), List.of("big"));
    }

    @Test
    void shouldCrossValidateOnHeldOutFoldsStratifiedByTask() {
        List<QueryOutcomes> queries = GeneratedOutcomes.generate(1000, 9, List.of(TINY, MID, BIG));
        CrossValidation.Report cv = CrossValidation.run(queries, settings(List.of("tiny", "mid"), 2), 5, 1);
        assertThat(cv.folds()).hasSize(5);
        assertThat(cv.pooled().queries()).isEqualTo(1000);
        assertThat(cv.folds()).allSatisfy(f -> assertThat(f.heldOut().queries()).isEqualTo(200));
        assertThat(cv.pooled().ratio()).isGreaterThan(0.95);
        int[] folds = CrossValidation.folds(queries, 5, 1);
        long evenInFold0 = java.util.stream.IntStream.range(0, folds.length)
                .filter(i -> folds[i] == 0 && queries.get(i).task().equals("even")).count();
        assertThat(evenInFold0).isEqualTo(100);
        assertThatThrownBy(() -> CrossValidation.folds(queries, 1, 1)).hasMessageContaining("folds");
    }

    @Test
    void shouldBracketThePointEstimateWithTheBootstrap() {
        List<QueryOutcomes> queries = GeneratedOutcomes.generate(800, 4, List.of(TINY, BIG));
        List<TierStep> tiers = List.of(new TierStep("tiny", 0.6), new TierStep("big", null));
        PolicyScore point = Calibrator.replay(queries, tiers, "big");
        Bootstrap.Intervals b = Bootstrap.run(queries, tiers, "big", 500, 2);
        assertThat(point.accuracy()).isBetween(b.accuracyLow(), b.accuracyHigh());
        assertThat(point.ratio()).isBetween(b.ratioLow(), b.ratioHigh());
        assertThat(point.costPer1k()).isBetween(b.costPer1kLow(), b.costPer1kHigh());
        assertThat(b.accuracyHigh() - b.accuracyLow()).isLessThan(0.15).isGreaterThan(0);
    }

    @Test
    void shouldPriceTheOracleAtTheCheapestCorrectModel() {
        ModelOutcome sRight = new ModelOutcome(true, 0.9, 1, 1, 1, new BigDecimal("0.001"));
        ModelOutcome sWrong = new ModelOutcome(false, 0.9, 1, 1, 1, new BigDecimal("0.001"));
        ModelOutcome gRight = new ModelOutcome(true, 0.9, 1, 1, 1, new BigDecimal("0.01"));
        ModelOutcome gWrong = new ModelOutcome(false, 0.9, 1, 1, 1, new BigDecimal("0.01"));
        List<QueryOutcomes> q = List.of(new QueryOutcomes("a", "t", Map.of("s", sRight, "g", gRight)),
                new QueryOutcomes("b", "t", Map.of("s", sWrong, "g", gRight)),
                new QueryOutcomes("c", "t", Map.of("s", sWrong, "g", gWrong)));
        PolicyScore oracle = Oracle.of(q, List.of("s"), "g");
        assertThat(oracle.correct()).isEqualTo(2);
        assertThat(oracle.totalCost()).isEqualByComparingTo("0.012"); // 0.001 + 0.01 + the cheapest call, 0.001
        assertThat(oracle.terminalCorrect()).isEqualTo(2);
    }

    @Test
    void shouldRefuseSettingsThatCannotMeanAnything() {
        assertThatThrownBy(() -> new CalibratorSettings("big", 1.2, List.of(), 3, false, 1, 20))
                .hasMessageContaining("target quality");
        assertThatThrownBy(() -> new CalibratorSettings("big", 0.97, List.of("big"), 3, false, 1, 20))
                .hasMessageContaining("terminal model 'big' cannot also be a candidate");
        assertThatThrownBy(() -> new CalibratorSettings("big", 0.97, List.of(), 0, false, 1, 20))
                .hasMessageContaining("max tiers");
        List<QueryOutcomes> queries = GeneratedOutcomes.generate(10, 1, List.of(BIG));
        assertThatThrownBy(() -> Calibrator.choose(queries, settings(List.of("ghost"), 1)))
                .hasMessageContaining("no outcome for model 'ghost'");
    }

    @Test
    void shouldWriteAPolicyTheRouterAndWhatIfAcceptFromTheCli(@TempDir Path dir) throws Exception {
        Path file = GeneratedOutcomes.write(dir.resolve("outcomes.jsonl"),
                GeneratedOutcomes.generate(600, 12, List.of(TINY, MID, BIG)));
        Path policy = dir.resolve("policy.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = CascadeCtl.run(new String[]{"calibrate", "--outcomes", file.toString(), "--terminal", "big",
                "--target-quality", "0.97", "--bootstrap", "200", "--out", policy.toString()}, print(out),
                print(new ByteArrayOutputStream()));
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(report).isZero();
        assertThat(report).contains("600 queries; terminal big").contains("candidates [mid, tiny]")
                .contains("in sample:").contains("bootstrap 95% (200 resamples)").contains("5-fold cross-validation")
                .contains("held out:").contains("oracle").contains("wrote " + policy);
        PolicyParser.Result parsed = new PolicyParser(Set.of("tiny", "mid", "big")).parse("calibrated",
                Files.readAllBytes(policy));
        assertThat(parsed).isInstanceOf(PolicyParser.Result.Valid.class);
        List<TierStep> tiers = ((PolicyParser.Result.Valid) parsed).policy().tiers();
        assertThat(tiers.get(tiers.size() - 1).tier()).isEqualTo("big");

        ByteArrayOutputStream whatIf = new ByteArrayOutputStream();
        assertThat(CascadeCtl.run(new String[]{"whatif", "--outcomes", file.toString(), "--policy",
                policy.toString()}, print(whatIf), System.err)).isZero();
        String accuracy = String.format(java.util.Locale.ROOT, "%.4f",
                Calibrator.replay(OutcomesFile.read(file), tiers, "big").accuracy());
        assertThat(report).contains("accuracy " + accuracy);
        assertThat(whatIf.toString(StandardCharsets.UTF_8)).contains("accuracy            " + accuracy);
    }

    @Test
    void shouldRefuseBadCalibrateArgumentsWithUsageErrors(@TempDir Path dir) throws Exception {
        Path file = GeneratedOutcomes.write(dir.resolve("o.jsonl"), GeneratedOutcomes.generate(50, 1,
                List.of(TINY, BIG)));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(CascadeCtl.run(new String[]{"calibrate", "--outcomes", file.toString(), "--terminal", "huge"},
                print(new ByteArrayOutputStream()), print(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("terminal 'huge' is not in the file");
        err.reset();
        assertThat(CascadeCtl.run(new String[]{"calibrate", "--outcomes", file.toString(), "--terminal", "big",
                "--target-quality", "lots"}, print(new ByteArrayOutputStream()), print(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--target-quality takes a number");
        err.reset();
        assertThat(CascadeCtl.run(new String[]{"calibrate", "--outcomes", file.toString(), "--terminal", "big",
                "--task", "nope"}, print(new ByteArrayOutputStream()), print(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no query of task 'nope'");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(CascadeCtl.run(new String[]{"calibrate", "--outcomes", file.toString(), "--terminal", "big",
                "--task", "even", "--folds", "2", "--bootstrap", "20"}, print(out), System.err)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("25 queries; terminal big");
        err.reset();
        assertThat(CascadeCtl.run(new String[]{"calibrate", "--outcomes", dir.resolve("missing").toString(),
                "--terminal", "big"}, print(new ByteArrayOutputStream()), print(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing");
    }

    private static PrintStream print(ByteArrayOutputStream out) {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }
}
