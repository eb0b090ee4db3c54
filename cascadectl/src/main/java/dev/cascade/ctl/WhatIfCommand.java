package dev.cascade.ctl;

import dev.cascade.core.PolicyParser;
import dev.cascade.core.TierStep;
import dev.cascade.ctl.calibration.CalibratorSettings;
import dev.cascade.ctl.calibration.OutcomesFile;
import dev.cascade.ctl.calibration.QueryOutcomes;
import dev.cascade.ctl.calibration.WhatIf;
import java.io.IOException;
import java.io.PrintStream;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code cascadectl whatif}: a policy replayed on recorded outcomes. Prints accuracy (and its ratio to the reference
 * model's on the same queries), cost, latency and tier mix, then the same ratio per stratum ({@code --strata}, the
 * {@code task} field by default), since a shift of traffic toward a weak stratum moves the pooled figure.
 * Exit codes: 0 done, 1 policy rejected, 2 unreadable file or bad argument.
 */
final class WhatIfCommand {
    private static final MathContext SIX_DIGITS = new MathContext(6);

    private final PrintStream out;
    private final PrintStream err;

    WhatIfCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Expected cost, accuracy, tier mix and latency of a policy on recorded outcomes, overall and per stratum. */
    int run(Path outcomesFile, Path policyFile, Map<String, String> options) {
        try {
            List<QueryOutcomes> queries = OutcomesFile.read(outcomesFile);
            Set<String> models = new TreeSet<>(queries.get(0).outcomes().keySet());
            PolicyParser.Result parsed = new PolicyParser(models).parse("whatif", Files.readAllBytes(policyFile));
            if (parsed instanceof PolicyParser.Result.Invalid invalid) {
                err.println("policy " + policyFile + " rejected: " + invalid.reason());
                return 1;
            }
            List<TierStep> tiers = ((PolicyParser.Result.Valid) parsed).policy().tiers();
            String reference = options.getOrDefault("--terminal", tiers.get(tiers.size() - 1).tier());
            String strata = options.getOrDefault("--strata", CalibratorSettings.DEFAULT_STRATA);
            WhatIf.Report r = WhatIf.evaluate(tiers, queries, reference, strata);
            out.printf(Locale.ROOT, "queries             %d%n", r.queries());
            out.printf(Locale.ROOT, "accuracy            %.4f (%.1f%% of %s's %.4f on the same queries)%n",
                    r.accuracy(), 100 * r.ratio(), reference, r.referenceAccuracy());
            out.printf(Locale.ROOT, "cost per query      %s USD%n", r.costPerQuery().round(
                    SIX_DIGITS).toPlainString());
            out.printf(Locale.ROOT, "cost per 1k queries %s USD%n", r.costPer1k().round(
                    SIX_DIGITS).toPlainString());
            out.printf(Locale.ROOT, "latency             mean %.1f ms, p95 %.1f ms%n", r.meanLatencyMs(),
                    r.p95LatencyMs());
            r.servedBy().forEach((tier, n) -> out.printf(Locale.ROOT, "  %-28s served %5.1f%%, called "
                    + "%5.1f%%%n", tier, 100.0 * n / r.queries(), 100.0 * r.called().get(tier) / r.queries()));
            if (!r.byStratum().isEmpty()) {
                out.printf(Locale.ROOT, "by %s (ratio = accuracy / %s's accuracy on the same queries):%n", strata,
                        reference);
                for (WhatIf.Stratum s : r.byStratum()) {
                    out.printf(Locale.ROOT, "  %-28s %6d queries  accuracy %.4f  %s %.4f  ratio %5.1f%%  %s USD "
                                    + "per 1k%n", s.name(), s.queries(), s.accuracy(), reference,
                            s.referenceAccuracy(), 100 * s.ratio(), s.costPer1k().round(SIX_DIGITS)
                                    .stripTrailingZeros().toPlainString());
                }
            }
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            err.println("whatif: " + e.getMessage());
            return 2;
        }
    }
}
