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
import java.time.Clock;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(Outputs.class);
    /** Room left under the producer's limit for the record's framing (timestamps, lengths, attributes). */
    private static final int FRAMING_BYTES = 512;

    private final ProcessorContext<byte[], Object> context;
    private final RouterMetrics metrics;
    private final int maxRecordBytes;
    private final ReplyTopics replyTopics;
    private final String answersTopic;
    private final Clock clock;

    /**
     * @param maxRecordBytes the producer's {@code max.request.size}: a record over it would fail the task, so an
     *                       answer, shadow record or dead letter that would not fit is written smaller instead
     * @param replyTopics    what is known of reply topics: an answer for a topic found missing since its query was
     *                       let through goes to {@code answersTopic} instead
     * @param clock          the router's time: deadlines, latencies, the idempotency window and output timestamps
     *                       (the context's system time is the scheduled time in a punctuation, which can lag)
     */
    Outputs(ProcessorContext<byte[], Object> context, RouterMetrics metrics, int maxRecordBytes,
            ReplyTopics replyTopics, String answersTopic, Clock clock) {
        this.context = context;
        this.metrics = metrics;
        this.maxRecordBytes = maxRecordBytes - FRAMING_BYTES;
        this.replyTopics = replyTopics;
        this.answersTopic = answersTopic;
        this.clock = clock;
    }

    long now() {
        return clock.millis();
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

    /**
     * Writes a query's one answer to its reply topic, with the query's headers; to the answers topic, with a note in
     * {@code error}, when the reply topic has been found missing since the query was let through (deleted meanwhile).
     * Returns the answer as sent (FAILED instead when it would not fit the topic).
     */
    AnswerEvent answer(InFlight query, AnswerEvent answer) {
        String topic = query.replyTopic();
        if (!topic.equals(answersTopic) && replyTopics.status(topic) == ReplyTopics.Status.MISSING) {
            String note = "reply_to topic '" + topic + "' no longer exists; answered on " + answersTopic;
            LOG.warn("query '{}': {}", query.id(), note);
            String error = answer.error() == null ? note
                    : answer.error().endsWith(note) ? answer.error() : answer.error() + "; " + note;
            return answer(query, new AnswerEvent(answer.id(), answer.route(), answer.status(), answer.tier(),
                    answer.model(), answer.content(), answer.confidence(), answer.costUsd(), answer.latencyMs(),
                    answer.attempts(), error, answer.replayed()), answersTopic);
        }
        return answer(query, answer, topic);
    }

    /**
     * Writes a query's one answer to {@code topic}, with the query's headers, and returns it as sent. A replayed
     * answer is counted as a replay, not as a query finished.
     */
    AnswerEvent answer(InFlight query, AnswerEvent answer, String topic) {
        Headers headers = new RecordHeaders();
        for (InFlight.StoredHeader h : query.headers()) {
            headers.add(h.key(), h.value());
        }
        byte[] key = key(query.id());
        byte[] value = ANSWERS.toBytes(answer);
        int size = size(key, value, headers);
        AnswerEvent sent = answer;
        if (size > maxRecordBytes) {
            // A tier's answer too large for the answers topic: the query fails with the reason instead of the task.
            sent = new AnswerEvent(answer.id(), answer.route(), AnswerEvent.Status.FAILED, null, null, null, null,
                    answer.costUsd(), answer.latencyMs(), answer.attempts(), "the answer of tier '" + answer.tier()
                    + "' makes a " + size + "-byte record, over the " + maxRecordBytes
                    + "-byte limit of the answers topic (max.request.size)", answer.replayed());
            value = ANSWERS.toBytes(sent);
            if (size(key, value, headers) > maxRecordBytes) {
                headers = new RecordHeaders(); // the query's own headers alone do not fit beside the failure
            }
            LOG.warn("query '{}': {}", query.id(), sent.error());
        }
        context.forward(new Record<>(key, new Routed(topic, value), now(), headers), SINK_ANSWERS);
        if (sent.replayed()) {
            metrics.replayed();
        } else {
            metrics.answered(query.route(), sent.status());
        }
        return sent;
    }

    void shadow(ShadowRecord record) {
        byte[] key = key(record.id());
        byte[] value = SHADOWS.toBytes(record);
        if (size(key, value, new RecordHeaders()) > maxRecordBytes) {
            LOG.warn("query '{}': shadow record of {} bytes not written (over the {}-byte record limit)",
                    record.id(), value.length, maxRecordBytes);
            return;
        }
        context.forward(new Record<>(key, (Object) value, now()), SINK_SHADOW);
    }

    /** Where an input came from, kept to name it on a dead letter written after its processing. */
    record Source(String topic, int partition, long offset) {
    }

    /** The source of the record being processed; null in a punctuation. */
    Source source() {
        return context.recordMetadata().filter(m -> m.topic() != null)
                .map(m -> new Source(m.topic(), m.partition(), m.offset())).orElse(null);
    }

    /** Sends an input, bytes and headers unchanged, to the dead-letter topic with the reason and its origin. */
    void deadLetter(Record<byte[], byte[]> record, RejectReason reason, String detail) {
        deadLetter(record, reason, detail, source());
    }

    /** As {@link #deadLetter(Record, RejectReason, String)}, for an input read from {@code source} earlier. */
    void deadLetter(Record<byte[], byte[]> record, RejectReason reason, String detail, Source source) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        DeadLetterHeaders.addReason(headers, reason.tag(), detail);
        if (source != null) {
            DeadLetterHeaders.addSource(headers, source.topic(), source.partition(), source.offset());
        }
        byte[] value = DeadLetterHeaders.fit(record.key(), record.value(), headers, maxRecordBytes);
        context.forward(new Record<>(record.key(), (Object) value, record.timestamp(), headers), SINK_DLQ);
        metrics.rejected(reason);
    }

    /** Bytes a record of these parts takes, framing aside. */
    static int size(byte[] key, byte[] value, Headers headers) {
        return DeadLetterHeaders.size(key, value, headers);
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }
}
