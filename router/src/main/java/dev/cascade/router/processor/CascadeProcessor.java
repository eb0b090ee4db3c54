package dev.cascade.router.processor;

import dev.cascade.events.AnswerEvent;
import dev.cascade.events.AnswerEvent.AttemptSummary;
import dev.cascade.events.AttemptEvent;
import dev.cascade.events.JsonSerde;
import dev.cascade.events.Outcome;
import dev.cascade.core.CallResult;
import dev.cascade.core.Decision;
import dev.cascade.core.RoutePolicy;
import dev.cascade.core.RouteTable;
import dev.cascade.core.TierStep;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.model.ParseResult;
import dev.cascade.router.model.Query;
import dev.cascade.router.model.RejectReason;
import dev.cascade.router.tier.Tier;
import dev.cascade.router.tier.TierResult;
import dev.cascade.router.tier.Tiers;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs queries through their route's tiers without ever waiting on a model on the stream thread.
 *
 * <p>A valid query is written to the changelogged in-flight store and its first tier call is dispatched
 * asynchronously. Calls complete on HTTP threads into a queue; a wall-clock punctuation on the stream thread drains
 * it and decides: accept (answer), escalate (dispatch the next tier) or fail. Every call becomes an attempt record.
 * When a tier's bulkhead is full the query waits in a per-tier queue; when its breaker is open the tier is skipped
 * at no cost. On the first process or punctuation after (re)assignment every query still in the store is dispatched
 * again at its current tier: calls in flight at a crash are made again.
 *
 * <p>One instance per task; used by its stream thread only, except {@link #completions}, which HTTP threads feed.
 */
public final class CascadeProcessor implements Processor<byte[], byte[], byte[], Object> {
    public static final String STORE = "inflight-queries";
    public static final String SINK_ANSWERS = "answers-sink";
    public static final String SINK_ATTEMPTS = "attempts-sink";
    public static final String SINK_DLQ = "dlq-sink";
    public static final String SINK_SHADOW = "shadow-sink";
    public static final String HEADER_REASON = "cascade.dlq.reason";
    public static final String HEADER_DETAIL = "cascade.dlq.detail";
    public static final String HEADER_TOPIC = "cascade.dlq.topic";
    public static final String HEADER_PARTITION = "cascade.dlq.partition";
    public static final String HEADER_OFFSET = "cascade.dlq.offset";

    private static final JsonSerde<AnswerEvent> ANSWERS = JsonSerde.of(AnswerEvent.class);
    private static final JsonSerde<AttemptEvent> ATTEMPTS = JsonSerde.of(AttemptEvent.class);

    private record Completion(String id, int dispatch, TierResult result) {
    }

    private record ShadowCompletion(String id, int tierIndex, TierResult result) {
    }

    private final RouteTable routes;
    private final Tiers tiers;
    private final QueryParser parser;
    private final RouterMetrics metrics;
    private final String answersTopic;
    private final Duration punctuateInterval;

    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final Map<String, ArrayDeque<String>> waiting = new HashMap<>();
    private final Queue<ShadowCompletion> shadowCompletions = new ConcurrentLinkedQueue<>();
    private final Map<String, ShadowSet> shadows = new HashMap<>();
    private ProcessorContext<byte[], Object> context;
    private KeyValueStore<String, InFlight> store;
    private Cancellable punctuator;
    private boolean recovered;
    private long owned;
    private volatile boolean closed;

    public CascadeProcessor(RouteTable routes, Tiers tiers, QueryParser parser, RouterMetrics metrics,
                            String answersTopic, Duration punctuateInterval) {
        this.routes = routes;
        this.tiers = tiers;
        this.parser = parser;
        this.metrics = metrics;
        this.answersTopic = answersTopic;
        this.punctuateInterval = punctuateInterval;
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.punctuator = context.schedule(punctuateInterval, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        recoverOnce();
        ParseResult parsed = parser.parse(record.value());
        if (parsed instanceof ParseResult.Rejected r) {
            deadLetter(record, r.reason(), r.detail());
            return;
        }
        Query query = ((ParseResult.Valid) parsed).query();
        if (store.get(query.id()) != null) {
            deadLetter(record, RejectReason.DUPLICATE_IN_FLIGHT, "a query with id '" + query.id()
                    + "' is already in flight");
            return;
        }
        RoutePolicy policy = routes.resolve(query.route());
        if (policy == null) {
            deadLetter(record, RejectReason.NO_ROUTE, "no route '" + query.route() + "' and no '"
                    + RouteTable.DEFAULT + "' route");
            return;
        }
        List<InFlight.StoredHeader> headers = new ArrayList<>();
        for (Header h : record.headers()) {
            headers.add(new InFlight.StoredHeader(h.key(), h.value()));
        }
        String replyTopic = query.replyTo() != null ? query.replyTo() : answersTopic;
        owned++;
        metrics.queriesInFlight(1);
        boolean shadow = ShadowSet.sampled(query.id(), policy.shadowRate());
        advance(new InFlight(query.id(), policy.route(), policy.tiers(), query.request(), replyTopic, headers,
                context.currentSystemTimeMs(), 0, 0, List.of(), shadow, List.of()));
    }

    /** Drains completed calls, decides for each, and retries queries waiting for a free call slot. */
    void punctuate(long now) {
        recoverOnce();
        Completion c;
        while ((c = completions.poll()) != null) {
            InFlight f = store.get(c.id());
            if (f == null || f.dispatch() != c.dispatch()) {
                metrics.staleCompletion();
                continue;
            }
            InFlight next = conclude(f, c.result());
            if (next != null) {
                advance(next);
            }
        }
        drainWaiting();
        ShadowCompletion s;
        while ((s = shadowCompletions.poll()) != null) {
            concludeShadow(s);
        }
    }

    private void recoverOnce() {
        if (recovered) {
            return;
        }
        recovered = true;
        List<InFlight> pending = new ArrayList<>();
        try (KeyValueIterator<String, InFlight> it = store.all()) {
            it.forEachRemaining(kv -> pending.add(kv.value));
        }
        owned += pending.size();
        metrics.queriesInFlight(pending.size());
        pending.forEach(this::advance);
    }

    /** Tries the query's current tier; short-circuited tiers are recorded and skipped until a call is made. */
    private void advance(InFlight start) {
        InFlight f = start;
        while (f != null) {
            TierStep step = f.step();
            Tier tier = tiers.get(step.tier());
            if (tier == null) {
                f = conclude(f, new TierResult(CallResult.Kind.ERROR, null, 0, BigDecimal.ZERO,
                        "tier '" + step.tier() + "' is not configured on this router"));
                continue;
            }
            switch (tier.tryAcquire()) {
                case FULL -> {
                    store.put(f.id(), f);
                    waiting.computeIfAbsent(tier.name(), t -> new ArrayDeque<>()).add(f.id());
                    metrics.waiting(tier.name(), 1);
                    return;
                }
                case PERMITTED -> {
                    InFlight d = f.nextDispatch();
                    store.put(d.id(), d);
                    String id = d.id();
                    int dispatch = d.dispatch();
                    tier.call(d.request()).thenAccept(result -> {
                        if (!closed) {
                            completions.add(new Completion(id, dispatch, result));
                        }
                    });
                    return;
                }
                case SHORT_CIRCUITED -> f = conclude(f, new TierResult(CallResult.Kind.SHORT_CIRCUITED, null, 0,
                        BigDecimal.ZERO, "circuit breaker of tier '" + tier.name() + "' is open"));
            }
        }
    }

    /**
     * Records the attempt and decides; answers or fails the query (returning null) or returns it moved to the
     * next tier.
     */
    private InFlight conclude(InFlight f, TierResult result) {
        RoutePolicy policy = f.policy();
        TierStep step = f.step();
        Decision decision = Decision.decide(policy, f.tierIndex(), result.asCallResult());
        Double confidence = result.reply() == null ? null : result.reply().confidence();
        long now = context.currentSystemTimeMs();
        Tier tier = tiers.get(step.tier());
        String model = tier == null ? null : tier.config().model();
        AttemptEvent attempt = new AttemptEvent(f.id(), f.route(), step.tier(), model, decision.outcome(),
                confidence, step.threshold(), result.promptTokens(), result.completionTokens(), result.latencyMs(),
                result.costUsd(), false, now, result.error());
        context.forward(new Record<>(key(f.id()), ATTEMPTS.toBytes(attempt), now), SINK_ATTEMPTS);
        metrics.attempt(step.tier(), decision.outcome(), result.latencyMs(), confidence);
        InFlight updated = f.withAttempt(new AttemptSummary(step.tier(), decision.outcome(), confidence,
                result.latencyMs(), result.costUsd()));
        if (f.shadow() && result.reply() != null) {
            updated = updated.withReply(new ShadowReply(step.tier(), model, result.reply().content(), confidence,
                    result.promptTokens(), result.completionTokens(), result.latencyMs(), result.costUsd(),
                    decision.action() == Decision.Action.ANSWER));
        }
        switch (decision.action()) {
            case ANSWER -> {
                finish(updated, new AnswerEvent(f.id(), f.route(), AnswerEvent.Status.ANSWERED, step.tier(), model,
                        result.reply().content(), confidence, totalCost(updated), now - f.receivedAt(),
                        updated.attempts(), null));
                if (updated.shadow()) {
                    startShadow(updated);
                }
                return null;
            }
            case FAIL -> {
                String trail = updated.attempts().stream().map(a -> a.tier() + "=" + a.outcome())
                        .collect(Collectors.joining(", "));
                finish(updated, new AnswerEvent(f.id(), f.route(), AnswerEvent.Status.FAILED, null, null, null, null,
                        totalCost(updated), now - f.receivedAt(), updated.attempts(),
                        "every tier failed (" + trail + "); last: " + result.error()));
                return null;
            }
            default -> {
                metrics.escalated(step.tier(), policy.step(f.tierIndex() + 1).tier());
                return updated.nextTier();
            }
        }
    }

    /**
     * A sampled query was answered: the tiers after the serving one are called too, as shadow calls whose answers
     * are compared, never served. A tier whose breaker is open or whose call slots are full is left out: shadow
     * traffic never queues ahead of real queries. Shadow calls in flight when the task moves are not made again
     * (samples, not answers).
     */
    private void startShadow(InFlight answered) {
        ShadowSet set = new ShadowSet(answered);
        for (int j = answered.tierIndex() + 1; j < answered.tiers().size(); j++) {
            Tier tier = tiers.get(answered.tiers().get(j).tier());
            if (tier == null || tier.tryAcquire() != Tier.Permit.PERMITTED) {
                metrics.shadowSkipped(answered.tiers().get(j).tier());
                continue;
            }
            set.outstanding++;
            String id = answered.id();
            int index = j;
            tier.call(answered.request()).thenAccept(result -> {
                if (!closed) {
                    shadowCompletions.add(new ShadowCompletion(id, index, result));
                }
            });
        }
        if (set.outstanding == 0) {
            emitShadow(set);
        } else {
            shadows.put(answered.id(), set);
        }
    }

    private void concludeShadow(ShadowCompletion c) {
        ShadowSet set = shadows.get(c.id());
        if (set == null) {
            metrics.staleCompletion();
            return;
        }
        TierResult result = c.result();
        TierStep step = set.query().tiers().get(c.tierIndex());
        Tier tier = tiers.get(step.tier());
        String model = tier == null ? null : tier.config().model();
        Outcome outcome = switch (result.asCallResult().kind()) {
            case ANSWERED -> Outcome.SHADOW;
            case TIMEOUT -> Outcome.TIMEOUT;
            case SHORT_CIRCUITED -> Outcome.SHORT_CIRCUITED;
            case ERROR -> Outcome.ERROR;
        };
        Double confidence = result.reply() == null ? null : result.reply().confidence();
        long now = context.currentSystemTimeMs();
        AttemptEvent attempt = new AttemptEvent(c.id(), set.query().route(), step.tier(), model, outcome, confidence,
                step.threshold(), result.promptTokens(), result.completionTokens(), result.latencyMs(),
                result.costUsd(), true, now, result.error());
        context.forward(new Record<>(key(c.id()), ATTEMPTS.toBytes(attempt), now), SINK_ATTEMPTS);
        metrics.attempt(step.tier(), outcome, result.latencyMs(), confidence);
        if (result.reply() != null) {
            set.replies.add(new ShadowReply(step.tier(), model, result.reply().content(), confidence,
                    result.promptTokens(), result.completionTokens(), result.latencyMs(), result.costUsd(), false));
        }
        if (--set.outstanding == 0) {
            shadows.remove(c.id());
            emitShadow(set);
        }
    }

    private void emitShadow(ShadowSet set) {
        long now = context.currentSystemTimeMs();
        context.forward(new Record<>(key(set.query().id()), (Object) set.toJson(now), now), SINK_SHADOW);
    }

    private void finish(InFlight f, AnswerEvent answer) {
        Headers headers = new RecordHeaders();
        f.headers().forEach(h -> headers.add(h.key(), h.value()));
        long now = context.currentSystemTimeMs();
        context.forward(new Record<>(key(f.id()), new Routed(f.replyTopic(), ANSWERS.toBytes(answer)), now, headers),
                SINK_ANSWERS);
        store.delete(f.id());
        owned--;
        metrics.queriesInFlight(-1);
        metrics.answered(f.route(), answer.status());
    }

    private static BigDecimal totalCost(InFlight f) {
        BigDecimal sum = BigDecimal.ZERO;
        for (AttemptSummary a : f.attempts()) {
            sum = sum.add(a.costUsd());
        }
        return dev.cascade.core.pricing.TokenPrice.normalise(sum);
    }

    private void drainWaiting() {
        for (Map.Entry<String, ArrayDeque<String>> e : waiting.entrySet()) {
            Tier tier = tiers.get(e.getKey());
            ArrayDeque<String> queue = e.getValue();
            int budget = queue.size();
            while (budget-- > 0 && !queue.isEmpty() && (tier.hasCapacity() || tier.breaker().getState()
                    == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN)) {
                String id = queue.poll();
                metrics.waiting(tier.name(), -1);
                InFlight f = store.get(id);
                if (f != null) {
                    advance(f);
                }
            }
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, RejectReason reason, String detail) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add(HEADER_REASON, reason.tag().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_DETAIL, detail.getBytes(StandardCharsets.UTF_8));
        context.recordMetadata().ifPresent((RecordMetadata m) -> {
            headers.add(HEADER_TOPIC, m.topic().getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_PARTITION, Integer.toString(m.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_OFFSET, Long.toString(m.offset()).getBytes(StandardCharsets.UTF_8));
        });
        context.forward(new Record<>(record.key(), (Object) record.value(), record.timestamp(), headers), SINK_DLQ);
        metrics.rejected(reason);
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        if (punctuator != null) {
            punctuator.cancel();
        }
        metrics.queriesInFlight(-owned);
        waiting.forEach((tier, queue) -> metrics.waiting(tier, -queue.size()));
        waiting.clear();
        completions.clear();
        shadowCompletions.clear();
        shadows.clear();
    }
}
