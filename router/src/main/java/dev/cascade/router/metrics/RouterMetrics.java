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
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's meters; names in one place, tags from closed sets (route names from config, tier names, outcomes,
 * reject reasons), never query ids or tenants. The registry belongs to {@code RouterMain}; every meter is registered
 * on it once, in the constructor, so nothing can be recorded before the meters exist. Counters whose label values are
 * known at start (outcomes per tier, reject reasons, config verdicts, statuses per configured route) start at 0, so a
 * dashboard shows 0 rather than no data. A route or tier pair first seen later (a policy from the config topic) gets
 * its meters on first use. Thread-safe.
 */
public final class RouterMetrics {
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
    public static final String TIER_OVERFLOW = "router.tier.overflow";
    public static final String TIER_MAX_WAITING = "router.tier.max.waiting";
    public static final String DEADLINES_MISSED = "router.deadlines.missed";
    public static final String REPLAYED = "router.queries.replayed";

    private static final double[] CONFIDENCE_BUCKETS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0};

    private final MeterRegistry registry;
    private final Map<String, TierMeters> tiers = new ConcurrentHashMap<>();
    private final Map<String, Map<AnswerEvent.Status, Counter>> queries = new ConcurrentHashMap<>();
    private final Map<String, Counter> escalations = new ConcurrentHashMap<>();
    private final Map<RejectReason, Counter> dlq = new EnumMap<>(RejectReason.class);
    private final Verdicts configRecords;
    private final Verdicts policiesApplied;
    private final Counter staleCompletions;
    private final Counter deadlinesMissed;
    private final Counter replayed;
    private final AtomicLong queriesInFlight = new AtomicLong();

    /**
     * Registers every meter known at start on {@code registry}.
     *
     * @param routes the route names of the config file (their query counters start at 0)
     */
    public RouterMetrics(MeterRegistry registry, Tiers tiers, Collection<String> routes) {
        this.registry = registry;
        for (Tier tier : tiers.all()) {
            this.tiers.put(tier.name(), new TierMeters(tier.name()));
            registerTierGauges(tier, this.tiers.get(tier.name()).waiting);
        }
        routes.forEach(this::queryCounters);
        for (RejectReason reason : RejectReason.values()) {
            dlq.put(reason, Counter.builder(DLQ).description("inputs sent to the dead-letter topic by reason")
                    .tag("reason", reason.tag()).register(registry));
        }
        configRecords = new Verdicts(CONFIG_RECORDS, "config records accepted or rejected");
        policiesApplied = new Verdicts(POLICIES_APPLIED, "config records applied or refused by this instance");
        staleCompletions = Counter.builder(STALE_COMPLETIONS).description("completions of calls whose query had "
                + "moved on (after a restart or rebalance)").register(registry);
        deadlinesMissed = Counter.builder(DEADLINES_MISSED).description("queries answered FAILED because their "
                + "deadline passed").register(registry);
        replayed = Counter.builder(REPLAYED).description("retried query ids answered again with their stored answer, "
                + "without a model call").register(registry);
        Gauge.builder(QUERIES_IN_FLIGHT, queriesInFlight, AtomicLong::get)
                .description("queries accepted and not yet answered by this instance").register(registry);
    }

    public void answered(String route, AnswerEvent.Status status) {
        queryCounters(route).get(status).increment();
    }

    public void attempt(String tier, Outcome outcome, long latencyMs, Double confidence) {
        TierMeters meters = tier(tier);
        meters.attempts.get(outcome).increment();
        if (outcome != Outcome.SHORT_CIRCUITED) {
            meters.latency.record(Duration.ofMillis(latencyMs));
        }
        if (confidence != null) {
            meters.confidence.record(confidence);
        }
    }

    /** A shadow call not made because the tier's breaker was open or its call slots were full. */
    public void shadowSkipped(String tier) {
        tier(tier).shadowSkipped.increment();
    }

    public void escalated(String from, String to) {
        escalations.computeIfAbsent(from + '|' + to, k -> Counter.builder(ESCALATIONS)
                .description("queries moved from one tier to the next").tags("from", from, "to", to)
                .register(registry)).increment();
    }

    /** A query turned away from a tier whose call slots and waiting places were all taken. */
    public void overflow(String tier) {
        tier(tier).overflow.increment();
    }

    public void deadlineMissed() {
        deadlinesMissed.increment();
    }

    public void replayed() {
        replayed.increment();
    }

    public void rejected(RejectReason reason) {
        dlq.get(reason).increment();
    }

    public void staleCompletion() {
        staleCompletions.increment();
    }

    /** A config record judged by the status processor (once per record in the cluster). */
    public void configRecord(boolean accepted) {
        configRecords.count(accepted);
    }

    /** A config record applied (or refused) by this instance's live routing table. */
    public void policyApplied(boolean accepted) {
        policiesApplied.count(accepted);
    }

    public void waiting(String tier, long delta) {
        TierMeters meters = tiers.get(tier);
        if (meters != null) {
            meters.waiting.addAndGet(delta);
        }
    }

    public void queriesInFlight(long delta) {
        queriesInFlight.addAndGet(delta);
    }

    private TierMeters tier(String name) {
        return tiers.computeIfAbsent(name, TierMeters::new);
    }

    private Map<AnswerEvent.Status, Counter> queryCounters(String route) {
        return queries.computeIfAbsent(route, r -> {
            Map<AnswerEvent.Status, Counter> byStatus = new EnumMap<>(AnswerEvent.Status.class);
            for (AnswerEvent.Status status : AnswerEvent.Status.values()) {
                byStatus.put(status, Counter.builder(QUERIES).description("queries by route and final status")
                        .tags("route", r, "status", status.name()).register(registry));
            }
            return byStatus;
        });
    }

    private void registerTierGauges(Tier tier, AtomicLong waiting) {
        String name = tier.name();
        Gauge.builder(TIER_IN_FLIGHT, tier, t -> t.bulkhead().getBulkheadConfig().getMaxConcurrentCalls()
                        - t.bulkhead().getMetrics().getAvailableConcurrentCalls())
                .description("model calls in flight per tier").tag("tier", name).register(registry);
        Gauge.builder(TIER_CAPACITY, tier, t -> t.bulkhead().getBulkheadConfig().getMaxConcurrentCalls())
                .description("bulkhead size (max calls in flight) per tier").tag("tier", name).register(registry);
        Gauge.builder(TIER_WAITING, waiting, AtomicLong::get)
                .description("queries waiting for a free call slot of the tier").tag("tier", name).register(registry);
        Gauge.builder(TIER_MAX_WAITING, tier, t -> t.config().maxWaiting())
                .description("most queries that may wait for the tier (max_waiting)").tag("tier", name)
                .register(registry);
        for (CircuitBreaker.State state : new CircuitBreaker.State[]{CircuitBreaker.State.CLOSED,
                CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN}) {
            Gauge.builder(BREAKER_STATE, tier, t -> t.breaker().getState() == state ? 1 : 0)
                    .description("1 when the tier's circuit breaker is in this state")
                    .tags("tier", name, "state", state.name().toLowerCase(Locale.ROOT)).register(registry);
        }
    }

    /** The meters of one tier, registered together. */
    private final class TierMeters {
        final Map<Outcome, Counter> attempts = new EnumMap<>(Outcome.class);
        final Timer latency;
        final DistributionSummary confidence;
        final Counter shadowSkipped;
        final Counter overflow;
        final AtomicLong waiting = new AtomicLong();

        TierMeters(String tier) {
            for (Outcome outcome : Outcome.values()) {
                attempts.put(outcome, Counter.builder(ATTEMPTS).description("tier attempts by outcome")
                        .tags("tier", tier, "outcome", outcome.name()).register(registry));
            }
            latency = Timer.builder(TIER_LATENCY).description("model call latency per tier").tag("tier", tier)
                    .publishPercentileHistogram().register(registry);
            confidence = DistributionSummary.builder(TIER_CONFIDENCE).description("confidence of tier answers")
                    .tag("tier", tier).serviceLevelObjectives(CONFIDENCE_BUCKETS).register(registry);
            shadowSkipped = Counter.builder(SHADOW_SKIPPED)
                    .description("shadow calls left out (breaker open or call slots full)").tag("tier", tier)
                    .register(registry);
            overflow = Counter.builder(TIER_OVERFLOW).description("queries turned away from the tier because its "
                    + "call slots and waiting places were all taken (they move on, or fail as overloaded)")
                    .tag("tier", tier).register(registry);
        }
    }

    /** An accepted/rejected counter pair; both series exist from the start. */
    private final class Verdicts {
        final Counter accepted;
        final Counter rejected;

        Verdicts(String name, String description) {
            accepted = Counter.builder(name).description(description).tag("result", "accepted").register(registry);
            rejected = Counter.builder(name).description(description).tag("result", "rejected").register(registry);
        }

        void count(boolean isAccepted) {
            (isAccepted ? accepted : rejected).increment();
        }
    }
}
