package dev.cascade.router.processor;

import dev.cascade.core.RouteTable;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tiers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Runs queries through their route's tiers without ever waiting on a model on the stream thread.
 *
 * <p>A valid query is written to the changelogged in-flight store and its first tier call is dispatched
 * asynchronously ({@link Intake}, {@link Stepper}). Calls complete on HTTP threads into {@link Completions}; a
 * wall-clock punctuation on the stream thread drains them and decides: accept (answer), escalate (dispatch the next
 * tier) or fail. Every call becomes an attempt record ({@link Outputs}). When a tier's bulkhead is full the query
 * waits in {@link TierQueues} (up to the tier's {@code max_waiting}; beyond it the query moves on, or fails as
 * overloaded); when its breaker is open the tier is skipped at no cost. A query's deadline is absolute in its entry:
 * calls are cut short at it, and the punctuation fails waiting queries whose deadline has passed, without a call.
 * A query naming a {@code reply_to} topic is dispatched only once that topic is known to exist ({@link ReplyGate});
 * then a query whose id was answered on that topic within the idempotency window gets that answer again
 * ({@link Replays}). Sampled queries are shadowed after their answer ({@link ShadowCalls}). On the first process or
 * punctuation after (re)assignment every query still in the store is dispatched again at its current tier: calls in
 * flight at a crash are made again.
 *
 * <p>One instance per task; used by its stream thread only.
 */
public final class CascadeProcessor implements Processor<byte[], byte[], byte[], Object> {
    public static final String STORE = "inflight-queries";
    public static final String ANSWERED_STORE = Replays.STORE;
    public static final String SINK_ANSWERS = Outputs.SINK_ANSWERS;
    public static final String SINK_ATTEMPTS = Outputs.SINK_ATTEMPTS;
    public static final String SINK_DLQ = Outputs.SINK_DLQ;
    public static final String SINK_SHADOW = Outputs.SINK_SHADOW;

    private final RouteTable routes;
    private final Tiers tiers;
    private final QueryParser parser;
    private final RouterMetrics metrics;
    private final String answersTopic;
    private final Duration punctuateInterval;
    private final int maxRecordBytes;
    private final ShadowSampler sampler;
    private final ReplyTopics replyTopics;
    private final Duration idempotencyWindow;

    private Completions completions;
    private KeyValueStore<String, InFlight> store;
    private Intake intake;
    private Stepper stepper;
    private Answers answers;
    private Replays replays;
    private TierQueues queues;
    private ShadowCalls shadows;
    private ReplyGate gate;
    private Cancellable punctuator;
    private boolean recovered;

    public CascadeProcessor(RouteTable routes, Tiers tiers, QueryParser parser, RouterMetrics metrics,
                            String answersTopic, Duration punctuateInterval, int maxRecordBytes,
                            ShadowSampler sampler, ReplyTopics replyTopics, Duration idempotencyWindow) {
        this.routes = routes;
        this.tiers = tiers;
        this.parser = parser;
        this.metrics = metrics;
        this.answersTopic = answersTopic;
        this.punctuateInterval = punctuateInterval;
        this.maxRecordBytes = maxRecordBytes;
        this.sampler = sampler;
        this.replyTopics = replyTopics;
        this.idempotencyWindow = idempotencyWindow;
    }

    /** Retention of the {@link #ANSWERED_STORE} for an idempotency window (positive even when replays are off). */
    public static Duration answeredRetention(Duration idempotencyWindow) {
        return Replays.retention(idempotencyWindow);
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        // Kafka Streams may close a task and init the same processor again (a corrupted task is revived): start
        // afresh, so the revived task takes its stored queries up again and hears its new calls.
        completions = new Completions();
        recovered = false;
        store = context.getStateStore(STORE);
        Outputs outputs = new Outputs(context, metrics, maxRecordBytes, replyTopics, answersTopic, tiers.clock());
        queues = new TierQueues(tiers, metrics);
        shadows = new ShadowCalls(tiers, completions, outputs, metrics);
        replays = new Replays(context.getStateStore(ANSWERED_STORE), idempotencyWindow, outputs);
        answers = new Answers(store, replays, outputs, metrics);
        stepper = new Stepper(tiers, store, completions, queues, shadows, outputs, answers, metrics);
        gate = new ReplyGate(replyTopics, answersTopic, store, outputs, this::begin);
        intake = new Intake(parser, parser.maxBytes(), routes, answersTopic, store, outputs, sampler);
        punctuator = context.schedule(punctuateInterval, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        recoverOnce();
        InFlight admitted = intake.admit(record);
        if (admitted != null) {
            gate.admit(admitted, record);
        }
    }

    /** A query whose answer can be delivered: replayed when its id was answered within the window, else started. */
    private void begin(InFlight query) {
        if (replays.replay(query)) {
            store.delete(query.key()); // written by the gate while its reply topic was looked up
        } else {
            stepper.start(query);
        }
    }

    /**
     * Drains completed calls and decides for each, fails waiting queries whose deadline has passed, and retries the
     * others waiting for a free call slot.
     */
    void punctuate(long now) {
        recoverOnce();
        gate.drain();
        completions.drainServed(stepper::onCompletion);
        queues.expire(tiers.clock().millis(), stepper::expire);
        queues.drain(stepper::retry);
        completions.drainShadows(shadows::conclude);
    }

    private void recoverOnce() {
        if (recovered) {
            return;
        }
        recovered = true;
        List<InFlight> pending = new ArrayList<>();
        List<KeyValue<String, InFlight>> legacy = new ArrayList<>();
        try (KeyValueIterator<String, InFlight> it = store.all()) {
            it.forEachRemaining(kv -> {
                pending.add(kv.value);
                if (!kv.key.equals(kv.value.key())) {
                    legacy.add(kv);
                }
            });
        }
        // entries written before keys named the reply topic move to their key, so they are found and answered once
        legacy.forEach(kv -> {
            store.delete(kv.key);
            store.put(kv.value.key(), kv.value);
        });
        pending.forEach(gate::resume);
    }

    @Override
    public void close() {
        if (completions != null) {
            completions.close();
        }
        if (punctuator != null) {
            punctuator.cancel();
        }
        if (stepper != null) {
            answers.close();
            queues.clear();
            shadows.clear();
            gate.clear();
        }
    }
}
