package dev.cascade.router.processor;

import dev.cascade.events.AnswerEvent;
import dev.cascade.events.AnswerEvent.AttemptSummary;
import dev.cascade.events.AttemptEvent;
import dev.cascade.events.DeadLetterHeaders;
import dev.cascade.events.JsonSerde;
import dev.cascade.events.Outcome;
import dev.cascade.events.ShadowRecord;
import dev.cascade.core.TierStep;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.model.RejectReason;
import dev.cascade.router.tier.TierResult;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Writes the cascade processor's output records: attempts, answers, shadow records and dead letters, each to its
 * sink, with the metric that counts it. The one place an attempt event is built. Stream thread only.
 */
final class Outputs {
    static final String SINK_ANSWERS = "answers-sink";
    static final String SINK_ATTEMPTS = "attempts-sink";
    static final String SINK_DLQ = "dlq-sink";
    static final String SINK_SHADOW = "shadow-sink";

    private static final JsonSerde<AnswerEvent> ANSWERS = JsonSerde.of(AnswerEvent.class);
    private static final JsonSerde<AttemptEvent> ATTEMPTS = JsonSerde.of(AttemptEvent.class);
    private static final JsonSerde<ShadowRecord> SHADOWS = JsonSerde.of(ShadowRecord.class);

    private final ProcessorContext<byte[], Object> context;
    private final RouterMetrics metrics;

    Outputs(ProcessorContext<byte[], Object> context, RouterMetrics metrics) {
        this.context = context;
        this.metrics = metrics;
    }

    long now() {
        return context.currentSystemTimeMs();
    }

    /** Writes the attempt event of one call (or skipped tier) and returns its summary for the answer. */
    AttemptSummary attempt(String queryId, String route, TierStep step, String model, Outcome outcome,
                           TierResult result, boolean shadow) {
        Double confidence = result.reply() == null ? null : result.reply().confidence();
        long now = now();
        AttemptEvent attempt = new AttemptEvent(queryId, route, step.tier(), model, outcome, confidence,
                step.threshold(), result.promptTokens(), result.completionTokens(), result.latencyMs(),
                result.costUsd(), shadow, now, result.error());
        context.forward(new Record<>(key(queryId), ATTEMPTS.toBytes(attempt), now), SINK_ATTEMPTS);
        metrics.attempt(step.tier(), outcome, result.latencyMs(), confidence);
        return new AttemptSummary(step.tier(), outcome, confidence, result.latencyMs(), result.costUsd());
    }

    /** Writes a query's one answer to its reply topic, with the query's headers. */
    void answer(InFlight query, AnswerEvent answer) {
        Headers headers = new RecordHeaders();
        query.headers().forEach(h -> headers.add(h.key(), h.value()));
        context.forward(new Record<>(key(query.id()), new Routed(query.replyTopic(), ANSWERS.toBytes(answer)), now(),
                headers), SINK_ANSWERS);
        metrics.answered(query.route(), answer.status());
    }

    void shadow(ShadowRecord record) {
        long now = now();
        context.forward(new Record<>(key(record.id()), (Object) SHADOWS.toBytes(record), now), SINK_SHADOW);
    }

    /** Sends an input, bytes and headers unchanged, to the dead-letter topic with the reason and its origin. */
    void deadLetter(Record<byte[], byte[]> record, RejectReason reason, String detail) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        DeadLetterHeaders.addReason(headers, reason.tag(), detail);
        context.recordMetadata().ifPresent(m ->
                DeadLetterHeaders.addSource(headers, m.topic(), m.partition(), m.offset()));
        context.forward(new Record<>(record.key(), (Object) record.value(), record.timestamp(), headers), SINK_DLQ);
        metrics.rejected(reason);
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }
}
