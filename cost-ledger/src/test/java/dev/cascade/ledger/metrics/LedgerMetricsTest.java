package dev.cascade.ledger.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.core.quality.PairedCounts;
import dev.cascade.events.Outcome;
import dev.cascade.ledger.model.LedgerEvent;
import dev.cascade.ledger.model.QualityCounts;
import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.pricing.TierPrice;
import dev.cascade.ledger.quality.RouteQuality;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger's meters as Prometheus sees them: the series the dashboards, alerts and docs query. */
class LedgerMetricsTest {
    private static final Map<String, TierPrice> PRICES = Map.of(
            "small", new TierPrice.SelfHosted(new BigDecimal("100"), BigDecimal.ZERO, new BigDecimal("1000"),
                    BigDecimal.ZERO, BigDecimal.ZERO),
            "general", new TierPrice.Api(BigDecimal.ONE, BigDecimal.TEN));

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private LedgerMetrics metrics;

    @BeforeEach
    void setUp() {
        registry.config().commonTags("service", "ledger");
        metrics = new LedgerMetrics(registry);
    }

    @Test
    void shouldExposeTheSeriesNamesTheDashboardsAndAlertsQuery() {
        recordOneOfEach();

        assertThat(seriesNames(registry.scrape())).containsExactlyInAnyOrder(
                "ledger_answers", "ledger_breakeven_queries_month", "ledger_calls",
                "ledger_cascade_monthly_all_general_usd", "ledger_cascade_monthly_cost_usd",
                "ledger_cascade_monthly_savings_usd", "ledger_cascade_pays_off", "ledger_dlq_total",
                "ledger_feedback_unmatched_total", "ledger_fixed_spend_usd", "ledger_payback_months",
                "ledger_pricing_missing", "ledger_pricing_records_total", "ledger_quality_accuracy",
                "ledger_quality_feedback", "ledger_spend_usd", "ledger_tier_monthly_net_savings_usd",
                "ledger_tier_pays_off", "ledger_tokens", "ledger_quality_ratio", "ledger_quality_ratio_low",
                "ledger_quality_ratio_high", "ledger_quality_target", "ledger_quality_judged",
                "ledger_quality_samples", "ledger_quality_agreement", "ledger_quality_status");
        assertThat(seriesNames(registry.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8")))
                .containsAll(seriesNames(registry.scrape()));
    }

    @Test
    void shouldKeepLabelsAndValuesOfEachSeries() {
        recordOneOfEach();

        assertThat(registry.scrape()).contains(
                "ledger_spend_usd{kind=\"variable\",route=\"default\",service=\"ledger\",tier=\"small\"} 0.001",
                "ledger_spend_usd{kind=\"shadow\",route=\"default\",service=\"ledger\",tier=\"small\"} 0.0",
                "ledger_tokens{direction=\"in\",route=\"default\",service=\"ledger\",tier=\"small\"} 10.0",
                "ledger_tokens{direction=\"out\",route=\"default\",service=\"ledger\",tier=\"small\"} 5.0",
                "ledger_answers{route=\"default\",service=\"ledger\",tier=\"small\"} 1.0",
                "ledger_calls{outcome=\"ACCEPTED\",route=\"default\",service=\"ledger\",tier=\"small\"} 1.0",
                "ledger_quality_accuracy{service=\"ledger\",tier=\"small\"} NaN",
                "ledger_quality_feedback{service=\"ledger\",tier=\"small\"} 0.0",
                "ledger_pricing_missing{service=\"ledger\",tier=\"small\"} 0.0",
                "ledger_cascade_pays_off{service=\"ledger\"} ",
                "ledger_cascade_monthly_cost_usd{service=\"ledger\"} ",
                "ledger_breakeven_queries_month{scope=\"cascade\",service=\"ledger\"} ",
                "ledger_breakeven_queries_month{scope=\"small\",service=\"ledger\"} ",
                "ledger_fixed_spend_usd{service=\"ledger\",tier=\"small\"} ",
                "ledger_tier_monthly_net_savings_usd{service=\"ledger\",tier=\"small\"} ",
                "ledger_tier_pays_off{service=\"ledger\",tier=\"small\"} ",
                "ledger_payback_months{service=\"ledger\",tier=\"small\"} ",
                "ledger_dlq_total{service=\"ledger\",source=\"attempts\"} 1.0",
                "ledger_feedback_unmatched_total{service=\"ledger\"} 1.0",
                "ledger_pricing_records_total{result=\"accepted\",service=\"ledger\"} 1.0");
    }

    @Test
    void shouldExposeThePairedQualityEstimateWithItsBandTargetAndOneHotStatusPerRouteAndWindow() {
        recordOneOfEach();
        RouteQuality breached = RouteQuality.assess("risky", "general", 0.95,
                counts(new PairedCounts(300, 0, 60, 40)));
        metrics.refreshQuality(List.of(breached), List.of(breached));
        String scrape = registry.scrape();

        assertThat(breached.status()).isEqualTo(RouteQuality.Status.BREACHED);
        assertThat(scrape).contains(
                "ledger_quality_ratio{route=\"risky\",service=\"ledger\",window=\"day\"} 0.8333",
                "ledger_quality_target{route=\"risky\",service=\"ledger\"} 0.95",
                "ledger_quality_judged{route=\"risky\",service=\"ledger\",window=\"all\"} 400.0",
                "ledger_quality_status{route=\"risky\",service=\"ledger\",status=\"BREACHED\",window=\"day\"} "
                        + "1.0",
                "ledger_quality_status{route=\"risky\",service=\"ledger\",status=\"OK\",window=\"day\"} 0.0",
                "ledger_quality_ratio_low{route=\"risky\",service=\"ledger\",window=\"day\"} 0.",
                "ledger_quality_ratio_high{route=\"risky\",service=\"ledger\",window=\"day\"} 0.");
        // a route without data keeps its series, as NaN, so panels and rules still see it
        RouteQuality none = RouteQuality.assess("quiet", null, null, QualityCounts.empty());
        int meters = registry.getMeters().size();
        metrics.refreshQuality(List.of(breached, none), List.of(breached, none));
        metrics.refreshQuality(List.of(breached, none), List.of(breached, none));
        assertThat(registry.getMeters()).hasSize(meters + 2 * 10 + 1);
        assertThat(registry.scrape()).contains(
                "ledger_quality_ratio{route=\"quiet\",service=\"ledger\",window=\"all\"} NaN",
                "ledger_quality_status{route=\"quiet\",service=\"ledger\",status=\"INSUFFICIENT_DATA\","
                        + "window=\"all\"} 1.0");
    }

    private static QualityCounts counts(PairedCounts pairs) {
        return new QualityCounts("risky", "general", 0, pairs.pairs(), pairs.pairs(), 0, pairs, Map.of(), 0, 0);
    }

    @Test
    void shouldShowZeroForEveryKnownLabelValueBeforeAnythingHappens() {
        String scrape = registry.scrape();

        for (String source : LedgerMetrics.DLQ_SOURCES) {
            assertThat(scrape).contains("ledger_dlq_total{service=\"ledger\",source=\"" + source + "\"} 0.0");
        }
        assertThat(scrape).contains(
                "ledger_pricing_records_total{result=\"accepted\",service=\"ledger\"} 0.0",
                "ledger_pricing_records_total{result=\"rejected\",service=\"ledger\"} 0.0",
                "ledger_feedback_unmatched_total{service=\"ledger\"} 0.0",
                "ledger_cascade_monthly_cost_usd{service=\"ledger\"} NaN");
    }

    @Test
    void shouldRegisterEachGaugeOnceAndShowTheLatestRefresh() {
        recordOneOfEach();
        int meters = registry.getMeters().size();
        TierStats twice = attempt("small", "0.001").merge(attempt("small", "0.002"));

        metrics.refresh(Map.of("default|small", twice, "default|general", attempt("general", "0.01")), PRICES,
                "general");

        assertThat(registry.getMeters()).hasSize(meters);
        assertThat(registry.scrape()).contains(
                "ledger_spend_usd{kind=\"variable\",route=\"default\",service=\"ledger\",tier=\"small\"} 0.003",
                "ledger_answers{route=\"default\",service=\"ledger\",tier=\"small\"} 2.0");
    }

    @Test
    void shouldNameMetersTheMicrometerWay() {
        recordOneOfEach();

        for (Meter meter : registry.getMeters()) {
            String name = meter.getId().getName();
            assertThat(name).as("lower-case, dot-separated, domain first").matches("ledger(\\.[a-z]+)+");
            assertThat(name).as("no unit or _total in the name " + name)
                    .doesNotEndWith(".usd").doesNotEndWith(".months").doesNotEndWith(".month")
                    .doesNotEndWith(".total");
        }
    }

    private void recordOneOfEach() {
        metrics.unmatchedFeedback();
        metrics.deadLetter("attempts");
        metrics.pricingRecord(true);
        metrics.refresh(Map.of("default|small", attempt("small", "0.001"), "default|general",
                attempt("general", "0.01")), PRICES, "general");
        RouteQuality ok = RouteQuality.assess("default", "general", 0.9, counts(new PairedCounts(300, 10, 10, 30)));
        metrics.refreshQuality(List.of(ok), List.of(ok));
    }

    private static TierStats attempt(String tier, String cost) {
        return TierStats.empty().add(new LedgerEvent(LedgerEvent.Kind.ATTEMPT, "default", tier, Outcome.ACCEPTED,
                10, 5, 30, new BigDecimal(cost), false, null, null, tier.equals("small") ? 1_000L : 100_000L));
    }

    /** The metric names of the sample lines of a Prometheus text exposition. */
    static Set<String> seriesNames(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0]).filter(n -> !n.endsWith("_created")).forEach(names::add);
        return names;
    }
}
