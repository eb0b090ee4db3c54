package dev.cascade.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.events.AnswerEvent;
import dev.cascade.events.Outcome;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.model.RejectReason;
import dev.cascade.router.tier.Tiers;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router's meters as Prometheus sees them: the series the dashboards, alerts and docs query. */
class RouterMetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Tiers tiers;
    private RouterMetrics metrics;

    @BeforeEach
    void setUp() {
        Map<String, Object> doc = Map.of(
                "tiers", Map.of(
                        "small", Map.of("base_url", "http://unused/v1", "model", "s", "max_in_flight", 2),
                        "general", Map.of("base_url", "http://unused/v1", "model", "g", "confidence", "none")),
                "routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "small", "threshold", 0.8),
                        Map.of("name", "general")))));
        RouterConfig config = RouterConfig.from(doc, Map.of(), "test");
        tiers = Tiers.withClients(config.tiers().values(), name -> (ModelRequest r) -> new CompletableFuture<>(),
                null);
        registry.config().commonTags("service", "router");
        metrics = new RouterMetrics(registry, tiers, config.routes().keySet());
    }

    @AfterEach
    void tearDown() {
        tiers.close();
    }

    @Test
    void shouldExposeTheSeriesNamesTheDashboardsAndAlertsQuery() {
        recordOneOfEach();

        assertThat(seriesNames(registry.scrape())).containsExactlyInAnyOrder(
                "router_attempts_total", "router_completions_stale_total", "router_config_records_total",
                "router_dlq_total", "router_escalations_total", "router_policies_applied_total",
                "router_queries_in_flight", "router_queries_total", "router_shadow_skipped_total",
                "router_deadlines_missed_total", "router_queries_replayed_total", "router_tier_overflow_total",
                "router_tier_max_waiting",
                "router_tier_breaker_state", "router_tier_capacity", "router_tier_confidence_bucket",
                "router_tier_confidence_count", "router_tier_confidence_max", "router_tier_confidence_sum",
                "router_tier_in_flight", "router_tier_latency_seconds_bucket", "router_tier_latency_seconds_count",
                "router_tier_latency_seconds_max", "router_tier_latency_seconds_sum", "router_tier_waiting");
        assertThat(seriesNames(registry.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8")))
                .containsAll(seriesNames(registry.scrape()));
    }

    @Test
    void shouldKeepLabelsAndValuesOfEachSeries() {
        recordOneOfEach();

        assertThat(registry.scrape()).contains(
                "router_queries_total{route=\"default\",service=\"router\",status=\"ANSWERED\"} 1.0",
                "router_attempts_total{outcome=\"ESCALATED\",service=\"router\",tier=\"small\"} 1.0",
                "router_tier_latency_seconds_count{service=\"router\",tier=\"small\"} 1",
                "router_tier_confidence_sum{service=\"router\",tier=\"small\"} 0.5",
                "router_shadow_skipped_total{service=\"router\",tier=\"general\"} 1.0",
                "router_escalations_total{from=\"small\",service=\"router\",to=\"general\"} 1.0",
                "router_dlq_total{reason=\"not_json\",service=\"router\"} 1.0",
                "router_completions_stale_total{service=\"router\"} 1.0",
                "router_config_records_total{result=\"accepted\",service=\"router\"} 1.0",
                "router_policies_applied_total{result=\"rejected\",service=\"router\"} 1.0",
                "router_tier_waiting{service=\"router\",tier=\"small\"} 1.0",
                "router_tier_overflow_total{service=\"router\",tier=\"small\"} 1.0",
                "router_tier_max_waiting{service=\"router\",tier=\"small\"} 1000.0",
                "router_deadlines_missed_total{service=\"router\"} 1.0",
                "router_queries_replayed_total{service=\"router\"} 1.0",
                "router_queries_in_flight{service=\"router\"} 1.0",
                "router_tier_capacity{service=\"router\",tier=\"small\"} 2.0",
                "router_tier_in_flight{service=\"router\",tier=\"small\"} 0.0",
                "router_tier_breaker_state{service=\"router\",state=\"closed\",tier=\"small\"} 1.0",
                "router_tier_breaker_state{service=\"router\",state=\"half_open\",tier=\"small\"} 0.0");
    }

    @Test
    void shouldShowZeroForEveryKnownLabelValueBeforeAnythingHappens() {
        String scrape = registry.scrape();

        for (RejectReason reason : RejectReason.values()) {
            assertThat(scrape).contains("router_dlq_total{reason=\"" + reason.tag() + "\",service=\"router\"} 0.0");
        }
        for (String result : List.of("accepted", "rejected")) {
            assertThat(scrape).contains(
                    "router_config_records_total{result=\"" + result + "\",service=\"router\"} 0.0",
                    "router_policies_applied_total{result=\"" + result + "\",service=\"router\"} 0.0");
        }
        for (String tier : List.of("small", "general")) {
            for (Outcome outcome : Outcome.values()) {
                assertThat(scrape).contains("router_attempts_total{outcome=\"" + outcome + "\",service=\"router\","
                        + "tier=\"" + tier + "\"} 0.0");
            }
            assertThat(scrape).contains(
                    "router_shadow_skipped_total{service=\"router\",tier=\"" + tier + "\"} 0.0",
                    "router_tier_latency_seconds_count{service=\"router\",tier=\"" + tier + "\"} 0",
                    "router_tier_waiting{service=\"router\",tier=\"" + tier + "\"} 0.0",
                    "router_tier_overflow_total{service=\"router\",tier=\"" + tier + "\"} 0.0");
        }
        for (AnswerEvent.Status status : AnswerEvent.Status.values()) {
            assertThat(scrape).contains(
                    "router_queries_total{route=\"default\",service=\"router\",status=\"" + status + "\"} 0.0");
        }
        assertThat(scrape).contains("router_completions_stale_total{service=\"router\"} 0.0",
                "router_deadlines_missed_total{service=\"router\"} 0.0",
                "router_queries_replayed_total{service=\"router\"} 0.0");
    }

    @Test
    void shouldCountFromTheFirstEventAndNeverRegisterAMeterTwice() {
        metrics.rejected(RejectReason.NO_ROUTE);
        int meters = registry.getMeters().size();
        metrics.rejected(RejectReason.NO_ROUTE);
        metrics.attempt("small", Outcome.ACCEPTED, 5, 0.9);
        metrics.answered("default", AnswerEvent.Status.FAILED);

        assertThat(registry.getMeters()).hasSize(meters);
        assertThat(registry.get(RouterMetrics.DLQ).tag("reason", "no_route").counter().count()).isEqualTo(2);
        assertThat(registry.scrape()).contains(
                "router_queries_total{route=\"default\",service=\"router\",status=\"FAILED\"} 1.0");
    }

    @Test
    void shouldRegisterARouteFirstSeenLaterWithBothStatuses() {
        metrics.answered("from-config-topic", AnswerEvent.Status.ANSWERED);

        assertThat(registry.scrape()).contains(
                "router_queries_total{route=\"from-config-topic\",service=\"router\",status=\"ANSWERED\"} 1.0",
                "router_queries_total{route=\"from-config-topic\",service=\"router\",status=\"FAILED\"} 0.0");
    }

    @Test
    void shouldNameMetersTheMicrometerWay() {
        recordOneOfEach();

        for (Meter meter : registry.getMeters()) {
            String name = meter.getId().getName();
            assertThat(name).as("lower-case, dot-separated, domain first").matches("router(\\.[a-z]+)+");
            assertThat(name).as("no unit or _total in the name").doesNotEndWith(".total").doesNotEndWith(".seconds");
        }
    }

    private void recordOneOfEach() {
        metrics.answered("default", AnswerEvent.Status.ANSWERED);
        metrics.attempt("small", Outcome.ESCALATED, 12, 0.5);
        metrics.shadowSkipped("general");
        metrics.escalated("small", "general");
        metrics.rejected(RejectReason.NOT_JSON);
        metrics.staleCompletion();
        metrics.configRecord(true);
        metrics.policyApplied(false);
        metrics.waiting("small", 1);
        metrics.queriesInFlight(1);
        metrics.overflow("small");
        metrics.deadlineMissed();
        metrics.replayed();
    }

    /** The metric names of the sample lines of a Prometheus text exposition. */
    static Set<String> seriesNames(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0]).filter(n -> !n.endsWith("_created")).forEach(names::add);
        return names;
    }
}
