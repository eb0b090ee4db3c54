package dev.cascade.router.metrics;

import dev.cascade.events.AnswerEvent;
import dev.cascade.events.Outcome;
import dev.cascade.router.model.RejectReason;
import dev.cascade.router.tier.Tier;
import dev.cascade.router.tier.Tiers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's meters; names in one place, tags from closed sets (route names from config, tier names, outcomes,
 * reject reasons), never query ids or tenants. The registry belongs to {@code RouterMain}; this binds to it.
 * Thread-safe.
 */
public final class RouterMetrics implements MeterBinder {
    public static final String QUERIES = "router.queries";
    public static final String ATTEMPTS = "router.attempts";
    public static final String TIER_LATENCY = "router.tier.latency";
    public static final String TIER_CONFIDENCE = "router.tier.confidence";
    public static final String ESCALATIONS = "router.escalations";
    public static final String SHADOW_SKIPPED = "router.shadow.skipped";
    public static final String DLQ = "router.dlq";
    public static final String TIER_IN_FLIGHT = "router.tier.in.flight";
    public static final String TIER_WAITING = "router.tier.waiting";
    public static final String TIER_CAPACITY = "router.tier.capacity";
    public static final String BREAKER_STATE = "router.tier.breaker.state";
    public static final String QUERIES_IN_FLIGHT = "router.queries.in.flight";
    public static final String STALE_COMPLETIONS = "router.completions.stale";
    public static final String CONFIG_RECORDS = "router.config.records";
    public static final String POLICIES_APPLIED = "router.policies.applied";

    private final Tiers tiers;
    private volatile MeterRegistry registry = new SimpleMeterRegistry();
    private final Map<String, AtomicLong> waiting = new ConcurrentHashMap<>();
    private final AtomicLong queriesInFlight = new AtomicLong();

    public RouterMetrics(Tiers tiers) {
        this.tiers = tiers;
        tiers.all().forEach(t -> waiting.put(t.name(), new AtomicLong()));
    }

    @Override
    public void bindTo(MeterRegistry r) {
        this.registry = r;
        for (Tier tier : tiers.all()) {
            String name = tier.name();
            Gauge.builder(TIER_IN_FLIGHT, tier, t -> t.bulkhead().getBulkheadConfig().getMaxConcurrentCalls()
                            - t.bulkhead().getMetrics().getAvailableConcurrentCalls())
                    .description("model calls in flight per tier").tag("tier", name).register(r);
            Gauge.builder(TIER_CAPACITY, tier, t -> t.bulkhead().getBulkheadConfig().getMaxConcurrentCalls())
                    .description("bulkhead size (max calls in flight) per tier").tag("tier", name).register(r);
            Gauge.builder(TIER_WAITING, waiting.get(name), AtomicLong::get)
                    .description("queries waiting for a free call slot of the tier").tag("tier", name).register(r);
            for (CircuitBreaker.State state : new CircuitBreaker.State[]{CircuitBreaker.State.CLOSED,
                    CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN}) {
                Gauge.builder(BREAKER_STATE, tier, t -> t.breaker().getState() == state ? 1 : 0)
                        .description("1 when the tier's circuit breaker is in this state")
                        .tags("tier", name, "state", state.name().toLowerCase(java.util.Locale.ROOT)).register(r);
            }
        }
        Gauge.builder(QUERIES_IN_FLIGHT, queriesInFlight, AtomicLong::get)
                .description("queries accepted and not yet answered by this instance").register(r);
    }

    public void answered(String route, AnswerEvent.Status status) {
        Counter.builder(QUERIES).description("queries by route and final status")
                .tags("route", route, "status", status.name()).register(registry).increment();
    }

    public void attempt(String tier, Outcome outcome, long latencyMs, Double confidence) {
        Counter.builder(ATTEMPTS).description("tier attempts by outcome")
                .tags("tier", tier, "outcome", outcome.name()).register(registry).increment();
        if (outcome != Outcome.SHORT_CIRCUITED) {
            Timer.builder(TIER_LATENCY).description("model call latency per tier").tag("tier", tier)
                    .publishPercentileHistogram().serviceLevelObjectives().register(registry)
                    .record(Duration.ofMillis(latencyMs));
        }
        if (confidence != null) {
            DistributionSummary.builder(TIER_CONFIDENCE).description("confidence of tier answers")
                    .tag("tier", tier).serviceLevelObjectives(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
                    .register(registry).record(confidence);
        }
    }

    /** A shadow call not made because the tier's breaker was open or its call slots were full. */
    public void shadowSkipped(String tier) {
        Counter.builder(SHADOW_SKIPPED).description("shadow calls left out (breaker open or call slots full)")
                .tag("tier", tier).register(registry).increment();
    }

    public void escalated(String from, String to) {
        Counter.builder(ESCALATIONS).description("queries moved from one tier to the next")
                .tags("from", from, "to", to).register(registry).increment();
    }

    public void rejected(RejectReason reason) {
        Counter.builder(DLQ).description("inputs sent to the dead-letter topic by reason")
                .tag("reason", reason.tag()).register(registry).increment();
    }

    public void staleCompletion() {
        Counter.builder(STALE_COMPLETIONS).description("completions of calls whose query had moved on (after a "
                + "restart or rebalance)").register(registry).increment();
    }

    /** A config record judged by the status processor (once per record in the cluster). */
    public void configRecord(boolean accepted) {
        Counter.builder(CONFIG_RECORDS).description("config records accepted or rejected")
                .tag("result", accepted ? "accepted" : "rejected").register(registry).increment();
    }

    /** A config record applied (or refused) by this instance's live routing table. */
    public void policyApplied(boolean accepted) {
        Counter.builder(POLICIES_APPLIED).description("config records applied or refused by this instance")
                .tag("result", accepted ? "accepted" : "rejected").register(registry).increment();
    }

    public void waiting(String tier, long delta) {
        AtomicLong w = waiting.get(tier);
        if (w != null) {
            w.addAndGet(delta);
        }
    }

    public void queriesInFlight(long delta) {
        queriesInFlight.addAndGet(delta);
    }
}
