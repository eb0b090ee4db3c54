package dev.cascade.ledger.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import dev.cascade.events.Outcome;
import dev.cascade.core.quality.PairedCounts;
import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.pricing.TierPrice;
import dev.cascade.ledger.pricing.Verdict;
import dev.cascade.ledger.quality.QualityEvidence;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Builds the JSON of {@code /api/summary}, {@code /api/tiers} and {@code /api/breakeven} from query results. A tier's
 * {@code accuracy} there is measured on the queries it served ({@code accuracy_basis} says so); the comparison with
 * the reference on the same queries is {@code paired_accuracy} and {@code paired_reference_accuracy}.
 */
public final class Summary {
    private Summary() {
    }

    /** The label of per-tier accuracy wherever it is shown. */
    public static final String SERVED_BASIS = "on the queries it served";

    public static ObjectNode summary(Map<String, TierStats> totals, Map<String, Long> failed,
                                     Map<String, TierPrice> prices, String referenceTier) {
        return summary(totals, failed, prices, referenceTier, QualityEvidence.NONE);
    }

    public static ObjectNode summary(Map<String, TierStats> totals, Map<String, Long> failed,
                                     Map<String, TierPrice> prices, String referenceTier, QualityEvidence quality) {
        Map<String, TierStats> tiers = TierStats.byTier(totals);
        Verdict.CascadeVerdict verdict = Verdict.compute(tiers, prices, referenceTier, quality);
        BigDecimal variable = BigDecimal.ZERO;
        BigDecimal shadow = BigDecimal.ZERO;
        long attempts = 0;
        long answers = 0;
        for (TierStats s : tiers.values()) {
            variable = variable.add(s.costUsd());
            shadow = shadow.add(s.shadowCostUsd());
            attempts += s.callsRecorded();
            answers += s.answers();
        }
        BigDecimal fixed = verdict.tiers().stream().map(Verdict.TierVerdict::fixedAccrued)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal attemptsCost = variable.add(shadow);
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("attempts_cost_usd", plain(attemptsCost));
        root.put("variable_cost_usd", plain(variable));
        root.put("shadow_cost_usd", plain(shadow));
        root.put("fixed_cost_usd", fixed);
        root.put("total_cost_usd", plain(attemptsCost.add(fixed)));
        root.put("attempts", attempts);
        root.put("answers", answers);
        root.put("failed_answers", failed.values().stream().mapToLong(Long::longValue).sum());
        long first = tiers.values().stream().mapToLong(TierStats::firstTs).min().orElse(0);
        long last = tiers.values().stream().mapToLong(TierStats::lastTs).max().orElse(0);
        if (!tiers.isEmpty()) {
            root.putObject("period").put("from", first).put("to", last);
        }
        ArrayNode rows = root.putArray("tiers");
        tiers.forEach((tier, s) -> {
            ObjectNode row = row(tier, null, s, prices.get(tier));
            PairedCounts paired = quality.tier(tier);
            row.put("paired_judged", paired.pairs());
            row.put("paired_accuracy", paired.firstAccuracy());
            row.put("paired_reference_accuracy", paired.secondAccuracy());
            rows.add(row);
        });
        root.put("verdict", verdict.sentence());
        ArrayNode missing = root.putArray("missing_pricing");
        verdict.missingPricing().forEach(missing::add);
        return root;
    }

    /** One aggregate as a JSON row with derived rates and latency percentiles. */
    public static ObjectNode row(String tier, String route, TierStats s, TierPrice price) {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        row.put("tier", tier);
        if (route != null) {
            row.put("route", route);
        }
        row.put("kind", price == null ? "unpriced" : price instanceof TierPrice.Api ? "api" : "self_hosted");
        row.set("calls", Json.mapper().valueToTree(s.calls()));
        row.put("answers", s.answers());
        row.put("prompt_tokens", s.promptTokens());
        row.put("completion_tokens", s.completionTokens());
        row.put("cost_usd", plain(s.costUsd()));
        row.put("shadow_cost_usd", plain(s.shadowCostUsd()));
        long made = s.callsMade() - s.calls(Outcome.SHADOW);
        row.put("acceptance_rate", made == 0 ? null : s.calls(Outcome.ACCEPTED) / (double) made);
        row.put("escalation_rate", made == 0 ? null : s.calls(Outcome.ESCALATED) / (double) made);
        row.put("latency_p50_ms", s.latencyPercentileMs(50));
        row.put("latency_p95_ms", s.latencyPercentileMs(95));
        row.put("latency_p99_ms", s.latencyPercentileMs(99));
        row.put("feedback", s.feedback());
        row.put("accuracy", s.accuracy());
        row.put("accuracy_basis", SERVED_BASIS);
        row.put("mean_score", s.meanScore());
        return row;
    }

    public static ObjectNode breakeven(Map<String, TierStats> totals, Map<String, TierPrice> prices,
                                       String referenceTier) {
        return breakeven(totals, prices, referenceTier, QualityEvidence.NONE);
    }

    public static ObjectNode breakeven(Map<String, TierStats> totals, Map<String, TierPrice> prices,
                                       String referenceTier, QualityEvidence quality) {
        return Json.mapper().valueToTree(Verdict.compute(TierStats.byTier(totals), prices, referenceTier, quality));
    }

    /** Exact amount in plain notation without trailing zeros. */
    static BigDecimal plain(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
