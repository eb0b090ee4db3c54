package dev.cascade.ledger.metrics;

import dev.cascade.events.RouteTier;
import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.pricing.TierPrice;
import dev.cascade.ledger.pricing.Verdict;
import dev.cascade.ledger.quality.RouteQuality;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ledger's meters, registered on the registry given to the constructor (it belongs to {@code LedgerMain}), each
 * once. Spend, tokens, answers, quality and the verdict are gauges over the cluster-wide figures (every instance
 * exports the same values: aggregate them with max, not sum); {@link #refresh} sets them from the stores before each
 * scrape, registering a gauge the first time its route or tier appears. Dead letters, unmatched feedback and pricing
 * verdicts are counters whose label values are known at start, so they start at 0. Tags come from closed sets
 * (route, tier, outcome, source). Thread-safe.
 */
public final class LedgerMetrics {
    /** Where an unreadable record came from: the {@code source} tag of {@link #DLQ}. */
    public static final List<String> DLQ_SOURCES = List.of("attempts", "answers", "feedback", "shadow");

    public static final String DLQ = "ledger.dlq";
    public static final String FEEDBACK_UNMATCHED = "ledger.feedback.unmatched";
    public static final String PRICING_RECORDS = "ledger.pricing.records";

    private static final String USD = "usd";
    private static final String BREAKEVEN_HELP =
            "monthly volume at which self-hosting starts to pay (NaN: never at current per-query costs)";
    static final Figure SPEND = new Figure("ledger.spend", USD, "spend so far by kind (variable, shadow)");
    static final Figure TOKENS = new Figure("ledger.tokens", "tokens", "tokens billed");
    static final Figure ANSWERS = new Figure("ledger.answers", null, "answers served");
    static final Figure CALLS = new Figure("ledger.calls", null, "attempts by outcome");
    static final Figure ACCURACY = new Figure("ledger.quality.accuracy", null,
            "accuracy from feedback on the queries the tier served (ranks nothing; NaN until feedback arrives)");
    static final Figure FEEDBACK = new Figure("ledger.quality.feedback", null, "answers with feedback");
    /** Windows of the paired quality estimate exported as gauges (the {@code window} tag). */
    public static final List<String> QUALITY_WINDOWS = List.of("day", "all");
    static final Figure QUALITY_RATIO = new Figure("ledger.quality.ratio", null,
            "served accuracy / reference accuracy on the same judged shadow samples (NaN without enough of them)");
    static final Figure QUALITY_RATIO_LOW = new Figure("ledger.quality.ratio.low", null,
            "lower bound of the ratio's 95% interval");
    static final Figure QUALITY_RATIO_HIGH = new Figure("ledger.quality.ratio.high", null,
            "upper bound of the ratio's 95% interval");
    static final Figure QUALITY_TARGET = new Figure("ledger.quality.target", null,
            "the route's target_quality (NaN: none)");
    static final Figure QUALITY_JUDGED = new Figure("ledger.quality.judged", null,
            "shadow samples with the served and the reference answer both judged");
    static final Figure QUALITY_SAMPLES = new Figure("ledger.quality.samples", null, "shadow samples counted");
    static final Figure QUALITY_AGREEMENT = new Figure("ledger.quality.agreement", null,
            "share of shadow samples whose served answer agrees with the reference's (normalised)");
    static final Figure QUALITY_STATUS = new Figure("ledger.quality.status", null,
            "1 for the route's current status against its target (OK, AT_RISK, BREACHED, INSUFFICIENT_DATA)");
    static final Figure PRICING_MISSING = new Figure("ledger.pricing.missing", null,
            "1 when a tier has traffic but no pricing");
    static final Figure MONTHLY_COST = new Figure("ledger.cascade.monthly.cost", USD,
            "cascade cost per month (extrapolated)");
    static final Figure MONTHLY_ALL_GENERAL = new Figure("ledger.cascade.monthly.all.general", USD,
            "same answers on the general API per month");
    static final Figure MONTHLY_SAVINGS = new Figure("ledger.cascade.monthly.savings", USD, "savings per month");
    static final Figure CASCADE_PAYS_OFF = new Figure("ledger.cascade.pays.off", null,
            "1 when self-hosting pays off now");
    static final Figure BREAKEVEN = new Figure("ledger.breakeven", "queries.month", BREAKEVEN_HELP);
    static final Figure FIXED_SPEND = new Figure("ledger.fixed.spend", USD,
            "fixed cost accrued over the observed period");
    static final Figure TIER_NET_SAVINGS = new Figure("ledger.tier.monthly.net.savings", USD,
            "net savings per month");
    static final Figure TIER_PAYS_OFF = new Figure("ledger.tier.pays.off", null, "1 when the tier pays off now");
    static final Figure PAYBACK = new Figure("ledger.payback", "months",
            "months until the tuning investment is back (NaN: not while the tier does not pay off)");

    private final MeterRegistry registry;
    private final Counter unmatchedFeedback;
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Counter pricingAccepted;
    private final Counter pricingRejected;
    private final Map<String, Value> gauges = new ConcurrentHashMap<>();

    public LedgerMetrics(MeterRegistry registry) {
        this.registry = registry;
        unmatchedFeedback = Counter.builder(FEEDBACK_UNMATCHED)
                .description("feedback for queries the ledger has not seen").register(registry);
        DLQ_SOURCES.forEach(this::deadLetterCounter);
        pricingAccepted = pricingCounter("accepted");
        pricingRejected = pricingCounter("rejected");
        for (Figure cascadeWide : List.of(MONTHLY_COST, MONTHLY_ALL_GENERAL, MONTHLY_SAVINGS, CASCADE_PAYS_OFF)) {
            gauge(cascadeWide, Tags.empty());
        }
        gauge(BREAKEVEN, Tags.of("scope", "cascade"));
    }

    public void unmatchedFeedback() {
        unmatchedFeedback.increment();
    }

    public void deadLetter(String source) {
        deadLetterCounter(source).increment();
    }

    /** A pricing record judged by the status processor (once per record in the cluster). */
    public void pricingRecord(boolean accepted) {
        (accepted ? pricingAccepted : pricingRejected).increment();
    }

    /** Recomputes every gauge from the current aggregates ({@code route|tier} keys). */
    public void refresh(Map<String, TierStats> totals, Map<String, TierPrice> prices, String referenceTier) {
        totals.forEach((key, s) -> {
            RouteTier rt = RouteTier.parse(key);
            Tags tags = Tags.of("route", rt.route(), "tier", rt.tier());
            set(SPEND, tags.and("kind", "variable"), s.costUsd());
            set(SPEND, tags.and("kind", "shadow"), s.shadowCostUsd());
            set(TOKENS, tags.and("direction", "in"), s.promptTokens());
            set(TOKENS, tags.and("direction", "out"), s.completionTokens());
            set(ANSWERS, tags, s.answers());
            s.calls().forEach((outcome, n) -> set(CALLS, tags.and("outcome", outcome), n));
        });
        Map<String, TierStats> byTier = TierStats.byTier(totals);
        byTier.forEach((tier, s) -> {
            Tags tags = Tags.of("tier", tier);
            set(ACCURACY, tags, s.accuracy() == null ? Double.NaN : s.accuracy());
            set(FEEDBACK, tags, s.feedback());
            set(PRICING_MISSING, tags, prices.containsKey(tier) ? 0 : 1);
        });
        Verdict.CascadeVerdict v = Verdict.compute(byTier, prices, referenceTier);
        set(MONTHLY_COST, Tags.empty(), v.monthlyCost());
        set(MONTHLY_ALL_GENERAL, Tags.empty(), v.monthlyAllGeneral());
        set(MONTHLY_SAVINGS, Tags.empty(), v.monthlySavings());
        set(CASCADE_PAYS_OFF, Tags.empty(), v.paysOff() ? 1 : 0);
        set(BREAKEVEN, Tags.of("scope", "cascade"), orNaN(v.breakEven()));
        for (Verdict.TierVerdict t : v.tiers()) {
            Tags tier = Tags.of("tier", t.tier());
            set(FIXED_SPEND, tier, t.fixedAccrued());
            set(TIER_NET_SAVINGS, tier, t.monthlyNetSavings());
            set(TIER_PAYS_OFF, tier, t.paysOff() ? 1 : 0);
            set(BREAKEVEN, Tags.of("scope", t.tier()), orNaN(t.breakEven()));
            set(PAYBACK, tier, orNaN(t.paybackMonths()));
        }
    }

    /**
     * Sets the paired quality gauges from the estimates of the last day and of all time (as {@code /api/quality}
     * gives them); each route's status is one-hot over the four statuses.
     */
    public void refreshQuality(List<RouteQuality> day, List<RouteQuality> all) {
        quality("day", day);
        quality("all", all);
    }

    private void quality(String window, List<RouteQuality> routes) {
        for (RouteQuality q : routes) {
            Tags tags = Tags.of("route", q.route(), "window", window);
            set(QUALITY_RATIO, tags, orNaN(q.ratio()));
            set(QUALITY_RATIO_LOW, tags, orNaN(q.ratioLow()));
            set(QUALITY_RATIO_HIGH, tags, orNaN(q.ratioHigh()));
            set(QUALITY_JUDGED, tags, q.judged());
            set(QUALITY_SAMPLES, tags, q.samples());
            set(QUALITY_AGREEMENT, tags, orNaN(q.agreement()));
            set(QUALITY_TARGET, Tags.of("route", q.route()), orNaN(q.target()));
            for (RouteQuality.Status status : RouteQuality.Status.values()) {
                set(QUALITY_STATUS, tags.and("status", status.name()), status == q.status() ? 1 : 0);
            }
        }
    }

    private static Number orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }

    private Counter deadLetterCounter(String source) {
        return deadLetters.computeIfAbsent(source, s -> Counter.builder(DLQ)
                .description("unreadable records sent to the dead-letter topic").tag("source", s).register(registry));
    }

    private Counter pricingCounter(String result) {
        return Counter.builder(PRICING_RECORDS).description("pricing records accepted or rejected")
                .tag("result", result).register(registry);
    }

    private static Number orNaN(BigDecimal v) {
        return v == null ? Double.NaN : v;
    }

    private void set(Figure figure, Tags tags, Number value) {
        gauge(figure, tags).value = value instanceof BigDecimal b ? b.doubleValue() : value.doubleValue();
    }

    private Value gauge(Figure figure, Tags tags) {
        return gauges.computeIfAbsent(figure.name() + tags, id -> {
            Value v = new Value();
            Gauge.builder(figure.name(), v, x -> x.value).baseUnit(figure.baseUnit())
                    .description(figure.description()).tags(tags).strongReference(true).register(registry);
            return v;
        });
    }

    /** A gauge's name, unit (null: a plain count or ratio) and help text. */
    record Figure(String name, String baseUnit, String description) {
    }

    /** The last value set for one gauge; NaN until the first refresh. */
    private static final class Value {
        volatile double value = Double.NaN;
    }
}
