package dev.cascade.ledger.pricing;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.core.quality.PairedCounts;
import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.quality.QualityEvidence;
import dev.cascade.ledger.quality.RouteQuality;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Does self-hosting pay off? Pure arithmetic over all-time per-tier totals and the tiers' prices.
 *
 * <p>The approximation, stated: what an answer served by a self-hosted tier would have cost on the general API is
 * the general API's token prices applied to the tokens that answer used (prompt and completion tokens of the
 * accepted call). Monthly figures extrapolate the observed period (first to last event) to a month of
 * {@link TierPrice#HOURS_PER_MONTH} hours at the same rate.
 *
 * <p>Quality comes from the paired estimate ({@link QualityEvidence}): a tier's accuracy and the reference's are
 * measured on the same shadow-sampled queries, both answers judged. A tier's accuracy on the queries it served is
 * kept beside it, labelled so: it ranks nothing (the reference serves the hardest queries).
 */
public final class Verdict {
    private static final MathContext MC = MathContext.DECIMAL64;
    private static final BigDecimal MIN_HOURS = new BigDecimal("0.0166667");

    /**
     * The verdict on one self-hosted tier. Null break-even and payback mean "never" at current per-query economics.
     * {@code accuracy} and {@code referenceAccuracy} are measured on the same judged shadow samples
     * ({@code qualityJudged} of them), {@code qualityDelta} is their difference (null without such samples);
     * {@code servedAccuracy} is the tier's accuracy on the queries it served, which no comparison should use.
     */
    public record TierVerdict(@JsonProperty("tier") String tier,
                              @JsonProperty("answers") long answers,
                              @JsonProperty("variable_cost_usd") BigDecimal variableCost,
                              @JsonProperty("general_equivalent_usd") BigDecimal generalEquivalent,
                              @JsonProperty("fixed_cost_accrued_usd") BigDecimal fixedAccrued,
                              @JsonProperty("monthly_queries") BigDecimal monthlyQueries,
                              @JsonProperty("monthly_fixed_usd") BigDecimal monthlyFixed,
                              @JsonProperty("monthly_net_savings_usd") BigDecimal monthlyNetSavings,
                              @JsonProperty("break_even_queries_per_month") BigDecimal breakEven,
                              @JsonProperty("payback_months") BigDecimal paybackMonths,
                              @JsonProperty("accuracy") Double accuracy,
                              @JsonProperty("reference_accuracy") Double referenceAccuracy,
                              @JsonProperty("quality_delta") Double qualityDelta,
                              @JsonProperty("pays_off") boolean paysOff,
                              @JsonProperty("sentence") String sentence,
                              @JsonProperty("quality_judged") long qualityJudged,
                              @JsonProperty("served_accuracy") Double servedAccuracy,
                              @JsonProperty("quality_basis") String qualityBasis) {
    }

    /** One point of the break-even chart: monthly cost at a monthly volume. */
    public record Point(@JsonProperty("queries_per_month") BigDecimal queries,
                        @JsonProperty("all_general_usd") BigDecimal allGeneral,
                        @JsonProperty("cascade_usd") BigDecimal cascade) {
    }

    /** The verdict on the cascade as a whole. */
    public record CascadeVerdict(@JsonProperty("monthly_queries") BigDecimal monthlyQueries,
                                 @JsonProperty("monthly_cost_usd") BigDecimal monthlyCost,
                                 @JsonProperty("monthly_all_general_usd") BigDecimal monthlyAllGeneral,
                                 @JsonProperty("monthly_savings_usd") BigDecimal monthlySavings,
                                 @JsonProperty("break_even_queries_per_month") BigDecimal breakEven,
                                 @JsonProperty("pays_off") boolean paysOff,
                                 @JsonProperty("sentence") String sentence,
                                 @JsonProperty("tiers") List<TierVerdict> tiers,
                                 @JsonProperty("missing_pricing") List<String> missingPricing,
                                 @JsonProperty("chart") List<Point> chart,
                                 @JsonProperty("approximation") String approximation,
                                 @JsonProperty("quality") List<RouteQuality> quality) {
    }

    private Verdict() {
    }

    /** The verdict without quality evidence (its quality figures are null). */
    public static CascadeVerdict compute(Map<String, TierStats> byTier, Map<String, TierPrice> prices,
                                         String referenceTier) {
        return compute(byTier, prices, referenceTier, QualityEvidence.NONE);
    }

    public static CascadeVerdict compute(Map<String, TierStats> byTier, Map<String, TierPrice> prices,
                                         String referenceTier, QualityEvidence quality) {
        TierPrice.Api reference = (TierPrice.Api) prices.get(referenceTier);
        long first = byTier.values().stream().mapToLong(TierStats::firstTs).min().orElse(0);
        long last = byTier.values().stream().mapToLong(TierStats::lastTs).max().orElse(0);
        BigDecimal hours = BigDecimal.valueOf(Math.max(0, last - first)).divide(BigDecimal.valueOf(3_600_000L), MC)
                .max(MIN_HOURS);
        BigDecimal perMonth = TierPrice.HOURS_PER_MONTH.divide(hours, MC);

        List<String> missing = new ArrayList<>(new TreeSet<>(byTier.keySet()));
        missing.removeIf(prices::containsKey);

        List<TierVerdict> tiers = new ArrayList<>();
        BigDecimal variable = BigDecimal.ZERO;
        BigDecimal allGeneral = BigDecimal.ZERO;
        BigDecimal fixedMonthly = BigDecimal.ZERO;
        long answers = 0;
        for (Map.Entry<String, TierStats> e : new java.util.TreeMap<>(byTier).entrySet()) {
            TierStats s = e.getValue();
            TierPrice price = prices.get(e.getKey());
            if (price == null) {
                continue;
            }
            BigDecimal general = reference.variableCost(s.answerPromptTokens(), s.answerCompletionTokens());
            variable = variable.add(s.costUsd());
            allGeneral = allGeneral.add(general);
            answers += s.answers();
            if (price instanceof TierPrice.SelfHosted sh) {
                fixedMonthly = fixedMonthly.add(sh.fixedMonthly());
                tiers.add(tierVerdict(e.getKey(), s, sh, general, hours, perMonth, quality.tier(e.getKey())));
            }
        }
        BigDecimal monthlyQueries = BigDecimal.valueOf(answers).multiply(perMonth, MC);
        BigDecimal monthlyCost = variable.multiply(perMonth, MC).add(fixedMonthly);
        BigDecimal monthlyGeneral = allGeneral.multiply(perMonth, MC);
        BigDecimal savings = monthlyGeneral.subtract(monthlyCost);
        BigDecimal breakEven = null;
        BigDecimal perQueryGain = answers == 0 ? BigDecimal.ZERO
                : allGeneral.subtract(variable).divide(BigDecimal.valueOf(answers), MC);
        if (perQueryGain.signum() > 0) {
            breakEven = fixedMonthly.divide(perQueryGain, MC);
        }
        boolean paysOff = answers > 0 && savings.signum() > 0;
        String sentence = cascadeSentence(answers, paysOff, monthlyQueries, monthlyCost, monthlyGeneral, breakEven)
                + qualitySentence(quality.routes());
        List<Point> chart = chart(monthlyQueries, breakEven, fixedMonthly,
                answers == 0 ? BigDecimal.ZERO : variable.divide(BigDecimal.valueOf(answers), MC),
                answers == 0 ? BigDecimal.ZERO : allGeneral.divide(BigDecimal.valueOf(answers), MC));
        return new CascadeVerdict(round(monthlyQueries, 0), money(monthlyCost), money(monthlyGeneral), money(savings),
                breakEven == null ? null : round(breakEven, 0), paysOff, sentence, tiers, missing, chart,
                "general-API cost of an answer = the general API's token prices applied to the tokens of the call "
                        + "that answered; monthly figures extrapolate the observed period at the same rate",
                quality.routes());
    }

    /** The routes' paired quality, after the cost sentence. */
    private static String qualitySentence(List<RouteQuality> routes) {
        StringBuilder sb = new StringBuilder();
        for (RouteQuality r : routes) {
            if (r.samples() > 0 || r.target() != null) {
                sb.append(' ').append(r.sentence());
            }
        }
        return sb.length() == 0 ? " Quality against the reference is not measured yet: no route has shadow samples."
                : sb.toString();
    }

    private static TierVerdict tierVerdict(String tier, TierStats s, TierPrice.SelfHosted price, BigDecimal general,
                                           BigDecimal hours, BigDecimal perMonth, PairedCounts paired) {
        BigDecimal gain = general.subtract(s.costUsd());
        BigDecimal monthlyQueries = BigDecimal.valueOf(s.answers()).multiply(perMonth, MC);
        BigDecimal monthlyNet = gain.multiply(perMonth, MC).subtract(price.fixedMonthly());
        BigDecimal breakEven = null;
        if (s.answers() > 0 && gain.signum() > 0) {
            breakEven = price.fixedMonthly().divide(gain.divide(BigDecimal.valueOf(s.answers()), MC), MC);
        }
        BigDecimal payback = null;
        if (monthlyNet.signum() > 0) {
            payback = price.tuningUsd().divide(monthlyNet, MC);
        }
        boolean paysOff = s.answers() > 0 && monthlyNet.signum() > 0;
        String sentence;
        if (s.answers() == 0) {
            sentence = tier + " has served no answers yet, so there is no verdict.";
        } else if (paysOff) {
            sentence = String.format("%s pays off now: it saves $%s a month net at %s queries a month (break-even %s "
                            + "queries a month; the tuning investment pays back in %s months).", tier,
                    money(monthlyNet).toPlainString(), count(monthlyQueries),
                    count(breakEven), round(payback, 1).toPlainString());
        } else if (breakEven != null) {
            sentence = String.format("%s does not pay off yet: at %s queries a month it loses $%s a month; it would "
                            + "pay off from %s queries a month.", tier, count(monthlyQueries),
                    money(monthlyNet.negate()).toPlainString(), count(breakEven));
        } else {
            sentence = tier + " does not pay off at any volume: its answers cost more per query than the general API.";
        }
        return new TierVerdict(tier, s.answers(), s.costUsd(), general,
                money(price.fixedMonthly().multiply(hours, MC).divide(TierPrice.HOURS_PER_MONTH, MC)),
                round(monthlyQueries, 0), money(price.fixedMonthly()), money(monthlyNet),
                breakEven == null ? null : round(breakEven, 0), payback == null ? null : round(payback, 2),
                paired.firstAccuracy(), paired.secondAccuracy(), paired.pairs() == 0 ? null
                        : paired.firstAccuracy() - paired.secondAccuracy(), paysOff, sentence, paired.pairs(),
                s.accuracy(), paired.pairs() == 0
                        ? "no judged shadow samples yet: accuracy against the reference is not measured; "
                        + "served_accuracy is on the queries it served only"
                        : "accuracy and reference_accuracy on the same " + paired.pairs() + " judged shadow samples; "
                        + "served_accuracy is on the queries it served only");
    }

    private static String cascadeSentence(long answers, boolean paysOff, BigDecimal volume, BigDecimal cost,
                                          BigDecimal general, BigDecimal breakEven) {
        if (answers == 0) {
            return "No answers yet: no verdict.";
        }
        String base = String.format("at %s queries a month the cascade costs $%s a month against $%s on the general "
                        + "API alone", count(volume), money(cost).toPlainString(),
                money(general).toPlainString());
        if (paysOff) {
            return "Self-hosting pays off now: " + base + (breakEven == null ? "." : " (break-even "
                    + count(breakEven) + " queries a month).");
        }
        return "Self-hosting does not pay off yet: " + base + (breakEven == null
                ? "; at current per-query costs it never would." : "; it would from "
                + count(breakEven) + " queries a month.");
    }

    private static List<Point> chart(BigDecimal volume, BigDecimal breakEven, BigDecimal fixed, BigDecimal perQuery,
                                     BigDecimal generalPerQuery) {
        BigDecimal max = volume.multiply(BigDecimal.valueOf(2));
        if (breakEven != null) {
            max = max.max(breakEven.multiply(new BigDecimal("1.5")));
        }
        if (max.signum() == 0) {
            return List.of();
        }
        List<Point> points = new ArrayList<>();
        for (int i = 0; i <= 20; i++) {
            BigDecimal v = max.multiply(BigDecimal.valueOf(i)).divide(BigDecimal.valueOf(20), MC);
            points.add(new Point(round(v, 0), money(generalPerQuery.multiply(v, MC)),
                    money(fixed.add(perQuery.multiply(v, MC)))));
        }
        return points;
    }

    /** A whole count for people: 4,382,991. */
    static String count(BigDecimal v) {
        return String.format(java.util.Locale.ROOT, "%,d", round(v, 0).toBigInteger());
    }

    static BigDecimal money(BigDecimal v) {
        return v.setScale(2, RoundingMode.HALF_UP);
    }

    static BigDecimal round(BigDecimal v, int scale) {
        return v.setScale(scale, RoundingMode.HALF_UP);
    }
}
