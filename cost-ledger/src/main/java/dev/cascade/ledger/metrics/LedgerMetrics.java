package dev.cascade.ledger.metrics;

import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.pricing.TierPrice;
import dev.cascade.ledger.pricing.Verdict;
import dev.cascade.ledger.query.Summary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ledger's meters. Spend, tokens, answers, quality and the verdict are gauges over the cluster-wide figures
 * (every instance exports the same values: aggregate them with max, not sum); refreshed from the stores before each
 * scrape. Dead letters and unmatched feedback are counters. Tags come from closed sets (route, tier, outcome).
 * Thread-safe.
 */
public final class LedgerMetrics implements MeterBinder {
    private volatile MeterRegistry registry = new SimpleMeterRegistry();
    private final Map<String, Double> values = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    @Override
    public void bindTo(MeterRegistry r) {
        this.registry = r;
    }

    public void unmatchedFeedback() {
        Counter.builder("ledger.feedback.unmatched").description("feedback for queries the ledger has not seen")
                .register(registry).increment();
    }

    public void deadLetter(String source) {
        Counter.builder("ledger.dlq").description("unreadable records sent to the dead-letter topic")
                .tag("source", source).register(registry).increment();
    }

    /** A pricing record judged by the status processor (once per record in the cluster). */
    public void pricingRecord(boolean accepted) {
        Counter.builder("ledger.pricing.records").description("pricing records accepted or rejected")
                .tag("result", accepted ? "accepted" : "rejected").register(registry).increment();
    }

    /** Recomputes every gauge from the current aggregates. */
    public void refresh(Map<String, TierStats> totals, Map<String, TierPrice> prices, String referenceTier) {
        totals.forEach((key, s) -> {
            String[] rt = key.split("\\|", 2);
            Tags tags = Tags.of("route", rt[0], "tier", rt[1]);
            set("ledger.spend.usd", tags.and("kind", "variable"), s.costUsd(), "variable spend (exact sum, USD)");
            set("ledger.spend.usd", tags.and("kind", "shadow"), s.shadowCostUsd(), "shadow spend (USD)");
            set("ledger.tokens", tags.and("direction", "in"), s.promptTokens(), "tokens billed");
            set("ledger.tokens", tags.and("direction", "out"), s.completionTokens(), "tokens billed");
            set("ledger.answers", tags, s.answers(), "answers served");
            s.calls().forEach((outcome, n) -> set("ledger.calls", tags.and("outcome", outcome), n,
                    "attempts by outcome"));
        });
        Map<String, TierStats> byTier = Summary.byTier(totals);
        byTier.forEach((tier, s) -> {
            set("ledger.quality.accuracy", Tags.of("tier", tier), s.accuracy() == null ? Double.NaN : s.accuracy(),
                    "accuracy from feedback (NaN until feedback arrives)");
            set("ledger.quality.feedback", Tags.of("tier", tier), s.feedback(), "answers with feedback");
            set("ledger.pricing.missing", Tags.of("tier", tier), prices.containsKey(tier) ? 0 : 1,
                    "1 when a tier has traffic but no pricing");
        });
        Verdict.CascadeVerdict v = Verdict.compute(byTier, prices, referenceTier);
        set("ledger.cascade.monthly.cost.usd", Tags.empty(), v.monthlyCost(), "cascade cost per month (extrapolated)");
        set("ledger.cascade.monthly.all.general.usd", Tags.empty(), v.monthlyAllGeneral(),
                "same answers on the general API per month");
        set("ledger.cascade.monthly.savings.usd", Tags.empty(), v.monthlySavings(), "savings per month");
        set("ledger.cascade.pays.off", Tags.empty(), v.paysOff() ? 1 : 0, "1 when self-hosting pays off now");
        set("ledger.breakeven.queries.month", Tags.of("scope", "cascade"), orNaN(v.breakEven()),
                "monthly volume at which self-hosting starts to pay (NaN: never at current per-query costs)");
        for (Verdict.TierVerdict t : v.tiers()) {
            Tags tier = Tags.of("tier", t.tier());
            set("ledger.fixed.spend.usd", tier, t.fixedAccrued(), "fixed cost accrued over the observed period");
            set("ledger.tier.monthly.net.savings.usd", tier, t.monthlyNetSavings(), "net savings per month");
            set("ledger.tier.pays.off", tier, t.paysOff() ? 1 : 0, "1 when the tier pays off now");
            set("ledger.breakeven.queries.month", Tags.of("scope", t.tier()), orNaN(t.breakEven()),
                    "monthly volume at which self-hosting starts to pay (NaN: never at current per-query costs)");
            set("ledger.payback.months", tier, orNaN(t.paybackMonths()),
                    "months until the tuning investment is back (NaN: not while the tier does not pay off)");
        }
    }

    private static Object orNaN(BigDecimal v) {
        return v == null ? (Object) Double.NaN : v;
    }

    private void set(String name, Tags tags, Object value, String description) {
        String id = name + tags;
        double d = value instanceof BigDecimal b ? b.doubleValue() : ((Number) value).doubleValue();
        values.put(id, d);
        if (registered.add(id)) {
            Gauge.builder(name, values, m -> m.getOrDefault(id, Double.NaN)).description(description).tags(tags)
                    .register(registry);
        }
    }
}
