package dev.cascade.ctl.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.ctl.CascadeCtl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calibrate} and {@code whatif} report per stratum, from the file's task or any label the user names. */
class StratifiedCliTest {
    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CascadeCtl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReportStrataShiftsAndHeldOutStrataInTheCalibrationReport(@TempDir Path dir) throws Exception {
        Path file = GeneratedOutcomes.write(dir.resolve("o.jsonl"), StratifiedCalibrationTest.easyAndHard(5));
        Path policy = dir.resolve("p.json");
        String report = run("calibrate", "--outcomes", file.toString(), "--terminal", "big", "--bootstrap", "20",
                "--out", policy.toString());
        assertThat(report)
                .contains("strata by task, accuracy constrained within each as well as pooled: easy 1500, hard 300")
                .contains("margin 2.00 standard errors pooled and 1.00 within each stratum")
                .contains("in sample by task:").contains("held out by task:")
                .contains("shifted mixes").contains("easy removed").contains("hard x2")
                .contains("worst mix, every share 0..2x the file's")
                .contains("leave one task out").contains("the pooled constraint alone (--strata none)");
        String hardLine = report.lines().filter(l -> l.trim().startsWith("hard ") && l.contains("300 queries"))
                .findFirst().orElseThrow();
        double ratio = Double.parseDouble(hardLine.replaceAll(".*\\(\\s*([0-9.]+)% of big\\).*", "$1"));
        assertThat(ratio).isGreaterThanOrEqualTo(97.0);

        String pooled = run("calibrate", "--outcomes", file.toString(), "--terminal", "big", "--bootstrap", "20",
                "--strata", "none");
        // the pooled constraint alone: the same breakdown, for comparison, and the hard stratum misses its target
        assertThat(pooled).contains("strata by task, reported only").contains("margin 2.00 standard errors pooled, ")
                .contains("held out by task:").contains("leave one task out")
                .doesNotContain("the pooled constraint alone");
        String pooledHard = pooled.lines().filter(l -> l.trim().startsWith("hard ") && l.contains("300 queries"))
                .findFirst().orElseThrow();
        assertThat(Double.parseDouble(pooledHard.replaceAll(".*\\(\\s*([0-9.]+)% of big\\).*", "$1")))
                .isLessThan(95.0);
    }

    @Test
    void shouldStratifyByAnyLabelTheUserNames(@TempDir Path dir) throws Exception {
        List<QueryOutcomes> queries = new ArrayList<>();
        for (QueryOutcomes q : StratifiedCalibrationTest.easyAndHard(9)) {
            String area = q.task().equals("hard") ? "billing" : "search";
            queries.add(new QueryOutcomes(q.id(), "mixed", q.outcomes(), Map.of("area", area)));
        }
        Path file = GeneratedOutcomes.write(dir.resolve("o.jsonl"), queries);
        assertThat(OutcomesFile.read(file).get(0).labels()).containsEntry("area", "search")
                .containsEntry("task", "mixed");
        String report = run("calibrate", "--outcomes", file.toString(), "--terminal", "big", "--strata", "area",
                "--folds", "0", "--bootstrap", "20");
        assertThat(report).contains("strata by area, accuracy constrained within each as well as pooled: "
                + "billing 300, search 1500").contains("in sample by area:")
                .contains("worst area billing");
        String byTask = run("calibrate", "--outcomes", file.toString(), "--terminal", "big", "--folds", "0",
                "--bootstrap", "20");
        assertThat(byTask).doesNotContain("strata by"); // one task only: the pooled constraint is all there is
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(CascadeCtl.run(new String[]{"calibrate", "--outcomes", file.toString(), "--terminal", "big",
                "--strata", "tenant"}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("has a 'tenant' field").contains("area");
    }

    @Test
    void shouldReadLabelsFromTopLevelFieldsAndMetadata(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("o.jsonl");
        Files.writeString(file, "{\"id\":\"q1\",\"task\":\"t\",\"tenant\":\"acme\",\"priority\":2,\"gold\":\"A\","
                + "\"metadata\":{\"product\":\"search\"},\"messages\":[],\"outcomes\":{\"s\":{\"correct\":true,"
                + "\"confidence\":0.5,\"cost_usd\":0.001}}}\n");
        QueryOutcomes q = OutcomesFile.read(file).get(0);
        assertThat(q.labels()).containsOnly(Map.entry("task", "t"), Map.entry("tenant", "acme"),
                Map.entry("priority", "2"), Map.entry("metadata.product", "search"));
    }

    @Test
    void shouldPrintPerStratumRatiosInWhatIf(@TempDir Path dir) throws Exception {
        // x: s sure on both, right on one (g right on both); y: s unsure, g serves and is right
        List<QueryOutcomes> queries = List.of(
                StratifiedCalibrationTest.HandOutcomes.query("q1", "x", true, 0.9),
                StratifiedCalibrationTest.HandOutcomes.query("q2", "x", false, 0.85),
                StratifiedCalibrationTest.HandOutcomes.query("q3", "y", false, 0.2));
        Path file = GeneratedOutcomes.write(dir.resolve("o.jsonl"), queries);
        Path policy = dir.resolve("p.json");
        Files.writeString(policy, "{\"tiers\":[{\"name\":\"s\",\"threshold\":0.8},{\"name\":\"g\"}]}");
        WhatIf.Report r = WhatIf.evaluate(List.of(new dev.cascade.core.TierStep("s", 0.8),
                new dev.cascade.core.TierStep("g", null)), queries);
        assertThat(r.byStratum()).containsExactly(
                new WhatIf.Stratum("x", 2, 1, 2, new BigDecimal("0.002")),
                new WhatIf.Stratum("y", 1, 1, 1, new BigDecimal("0.011")));
        assertThat(r.ratio()).isEqualTo(2 / 3.0);
        String out = run("whatif", "--outcomes", file.toString(), "--policy", policy.toString());
        assertThat(out).contains("accuracy            0.6667 (66.7% of g's 1.0000 on the same queries)")
                .contains("by task (ratio = accuracy / g's accuracy on the same queries):");
        assertThat(out.lines().filter(l -> l.trim().startsWith("x "))).singleElement().asString()
                .contains("2 queries").contains("accuracy 0.5000").contains("g 1.0000").contains("ratio  50.0%")
                .contains(" 1 USD per 1k");
        assertThat(out.lines().filter(l -> l.trim().startsWith("y "))).singleElement().asString()
                .contains("ratio 100.0%").contains(" 11 USD per 1k");
        String byNothing = run("whatif", "--outcomes", file.toString(), "--policy", policy.toString(), "--strata",
                "none", "--terminal", "s");
        assertThat(byNothing).doesNotContain("by ").contains("(200.0% of s's 0.3333");
    }
}
