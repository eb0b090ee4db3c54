package dev.cascade.ctl.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.ctl.CascadeCtl;
import dev.cascade.core.TierStep;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhatIfTest {
    private static ModelOutcome o(boolean correct, double confidence, String cost, double latency) {
        return new ModelOutcome(correct, confidence, 100, 1, latency, new BigDecimal(cost));
    }

    /** Three queries; "s" is cheap and sure on the first two, "g" is dear and always right. */
    private static final List<QueryOutcomes> QUERIES = List.of(
            new QueryOutcomes("q1", "t", Map.of("s", o(true, 0.9, "0.001", 10), "g", o(true, 0.99, "0.01", 100))),
            new QueryOutcomes("q2", "t", Map.of("s", o(false, 0.85, "0.001", 10), "g", o(true, 0.99, "0.01", 100))),
            new QueryOutcomes("q3", "t", Map.of("s", o(false, 0.2, "0.001", 10), "g", o(true, 0.99, "0.01", 100))));

    @Test
    void shouldMatchAHandComputation() {
        WhatIf.Report r = WhatIf.evaluate(List.of(new TierStep("s", 0.8), new TierStep("g", null)), QUERIES);
        // q1, q2 served by s (one right), q3 escalates: cost 3 x 0.001 + 0.01 = 0.013 over 3 queries
        assertThat(r.accuracy()).isEqualTo(2 / 3.0);
        assertThat(r.totalCost()).isEqualByComparingTo("0.013");
        assertThat(r.servedBy()).containsEntry("s", 2L).containsEntry("g", 1L);
        assertThat(r.called()).containsEntry("s", 3L).containsEntry("g", 1L);
        assertThat(r.meanLatencyMs()).isEqualTo((10 + 10 + 110) / 3.0);

        WhatIf.Report strict = WhatIf.evaluate(List.of(new TierStep("s", 0.88), new TierStep("g", null)), QUERIES);
        assertThat(strict.accuracy()).isEqualTo(1.0);
        assertThat(strict.totalCost()).isEqualByComparingTo("0.023");
    }

    @Test
    void shouldRefuseAPolicyNamingAModelTheFileLacks() {
        assertThatThrownBy(() -> WhatIf.evaluate(List.of(new TierStep("x", 0.5), new TierStep("g", null)), QUERIES))
                .hasMessageContaining("no outcome for model 'x'");
    }

    @Test
    void shouldReadAGzippedFileAndPrintTheReportFromTheCli(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("outcomes.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            for (String id : List.of("a", "b")) {
                out.write(("{\"id\":\"" + id + "\",\"task\":\"t\",\"messages\":[],\"gold\":null,\"outcomes\":{"
                        + "\"s\":{\"answer\":\"x\",\"correct\":true,\"confidence\":0.9,\"prompt_tokens\":10,"
                        + "\"completion_tokens\":1,\"latency_ms\":5.0,\"cost_usd\":1e-06},"
                        + "\"g\":{\"answer\":\"x\",\"correct\":true,\"confidence\":0.99,\"prompt_tokens\":10,"
                        + "\"completion_tokens\":1,\"latency_ms\":50.0,\"cost_usd\":3.05e-04}}}\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(OutcomesFile.read(file)).hasSize(2);
        assertThat(OutcomesFile.read(file).get(0).outcomes().get("g").costUsd()).isEqualByComparingTo("0.000305");
        Path policy = dir.resolve("policy.json");
        Files.writeString(policy, "{\"tiers\":[{\"name\":\"s\",\"threshold\":0.8},{\"name\":\"g\"}]}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = CascadeCtl.run(new String[]{"whatif", "--outcomes", file.toString(), "--policy",
                policy.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("accuracy            1.0000")
                .contains("cost per query      0.000001 USD").contains("served 100.0%");
        Files.writeString(policy, "{\"tiers\":[{\"name\":\"nope\",\"threshold\":0.8},{\"name\":\"g\"}]}");
        assertThat(CascadeCtl.run(new String[]{"whatif", "--outcomes", file.toString(), "--policy",
                policy.toString()}, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))).isEqualTo(1);
    }
}
