package dev.cascade.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * After a replay: the prediction of {@code cascadectl whatif} for the file and policy next to what the cost ledger
 * measured from the live run (accuracy from the judged feedback, cost from the attempts). They agree when accuracy
 * is within 2 percentage points and cost per query within 2 %. Beside them, the offline quality ratio (what-if's
 * accuracy over the reference's accuracy on the whole file) and the ledger's paired estimate of it.
 */
final class ReplayCheck {
    private static final Pattern ACCURACY = Pattern.compile("(?m)^accuracy\\s+([0-9.]+)");
    private static final Pattern COST = Pattern.compile("(?m)^cost per 1k queries\\s+([0-9.Ee+-]+) USD");

    private ReplayCheck() {
    }

    /**
     * @param answersJudged served answers the judge published a verdict on
     * @param quality       the routes of {@code /api/quality} (all time), or null
     */
    static boolean compare(StackOptions o, ReplayPlan plan, String ledgerUrl, long answersJudged, JsonNode quality,
                           Duration wait) throws IOException, InterruptedException {
        Process whatIf = new ProcessBuilder(List.of(ChildProcess.java(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                o.home().resolve("cascadectl/target/cascadectl.jar").toString(),
                "dev.cascade.ctl.CascadeCtl", "whatif", "--outcomes", o.replay().toString(),
                "--policy", o.policy().toString())).redirectErrorStream(true).start();
        String predicted = new String(whatIf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (whatIf.waitFor() != 0) {
            System.out.println("cascadectl whatif failed:\n" + predicted);
            return false;
        }
        Matcher a = ACCURACY.matcher(predicted);
        Matcher c = COST.matcher(predicted);
        if (!a.find() || !c.find()) {
            System.out.println("cannot read cascadectl whatif's output:\n" + predicted);
            return false;
        }
        double predictedAccuracy = Double.parseDouble(a.group(1));
        BigDecimal predictedCost = new BigDecimal(c.group(1));

        LedgerReport.Polled polled = LedgerReport.awaitSummary(ledgerUrl, s -> judged(s) >= answersJudged, wait);
        if (!polled.done()) {
            System.out.println("the ledger did not count all " + answersJudged + " verdicts in time ("
                    + polled.problem() + ")");
            return false;
        }
        JsonNode summary = polled.summary();
        long judged = judged(summary);
        double right = 0;
        for (JsonNode t : summary.path("tiers")) {
            right += t.path("accuracy").isNumber() ? t.path("accuracy").asDouble() * t.path("feedback").asLong() : 0;
        }
        long answers = summary.path("answers").asLong();
        double measuredAccuracy = judged == 0 ? 0 : right / judged;
        // the cascade's own calls: shadow calls (--shadow-rate) are extra spend the prediction does not include
        BigDecimal measuredCost = answers == 0 ? BigDecimal.ZERO : summary.path("variable_cost_usd").decimalValue()
                .multiply(BigDecimal.valueOf(1000)).divide(BigDecimal.valueOf(answers), MathContext.DECIMAL64);
        double accuracyGap = 100 * (measuredAccuracy - predictedAccuracy);
        double costGap = predictedCost.signum() == 0 ? 0 : 100 * measuredCost.subtract(predictedCost)
                .divide(predictedCost, MathContext.DECIMAL64).doubleValue();
        System.out.println();
        System.out.println("=== replay: prediction (cascadectl whatif) vs the ledger's measurement ===");
        System.out.printf(Locale.ROOT, "accuracy            predicted %.4f, measured %.4f over %d judged answers "
                + "(%+.2f points)%n", predictedAccuracy, measuredAccuracy, judged, accuracyGap);
        System.out.printf(Locale.ROOT, "cost per 1k queries predicted %s USD, measured %s USD over %d answers "
                        + "(%+.2f %%, shadow calls apart)%n", predictedCost.round(new MathContext(6)).toPlainString(),
                measuredCost.round(new MathContext(6)).toPlainString(), answers, costGap);
        double reference = plan.referenceAccuracy();
        // whatif prints accuracy to 4 decimals: the count of right answers it stands for is exact below 10,000 queries
        double offline = reference == 0 ? 0 : Math.round(predictedAccuracy * plan.ids.size())
                / (reference * plan.ids.size());
        JsonNode live = quality == null || quality.isEmpty() ? null : quality.get(0);
        System.out.printf(Locale.ROOT, "quality ratio       offline %s (%.4f / %s's %.4f on the whole file), "
                        + "live %s%n", reference == 0 ? "n/a" : String.format(Locale.ROOT, "%.4f", offline),
                predictedAccuracy, plan.referenceTier(), reference,
                live == null || !live.path("ratio").isNumber() ? "n/a (no judged shadow samples: --shadow-rate)"
                        : String.format(Locale.ROOT, "%.4f [%.4f, %.4f] on %d judged pairs, %s",
                        live.path("ratio").asDouble(), live.path("ratio_low").asDouble(),
                        live.path("ratio_high").asDouble(), live.path("judged").asLong(),
                        live.path("status").asText()));
        boolean agree = Math.abs(accuracyGap) <= 2.0 && Math.abs(costGap) <= 2.0;
        System.out.println(agree ? "the live run reproduces the prediction within 2 points"
                : "the live run does NOT reproduce the prediction within 2 points");
        return agree;
    }

    /** Answers the ledger has a verdict for, over all tiers. */
    private static long judged(JsonNode summary) {
        long judged = 0;
        for (JsonNode t : summary.path("tiers")) {
            judged += t.path("feedback").asLong();
        }
        return judged;
    }
}
