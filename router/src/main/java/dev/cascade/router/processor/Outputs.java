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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.common.header.Header;
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
    private final Clock clock;

    /**
     * @param maxRecordBytes the producer's {@code max.request.size}: a record over it would fail the task, so an
     *                       answer, shadow record or dead letter that would not fit is written smaller instead
     * @param clock          the router's time: deadlines, latencies, the idempotency window and output timestamps
     *                       (the context's system time is the scheduled time in a punctuation, which can lag)
     */
    Outputs(ProcessorContext<byte[], Object> context, RouterMetrics metrics, int maxRecordBytes, Clock clock) {
        this.context = context;
        this.metrics = metrics;
        this.maxRecordBytes = maxRecordBytes - FRAMING_BYTES;
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
     * Writes a query's answer to its reply topic, with the query's headers, and returns it as sent (FAILED instead
     * when it would not fit the topic). A replayed answer is counted as a replay, not as a query finished.
     */
    AnswerEvent answer(InFlight query, AnswerEvent answer) {
        Headers headers = new RecordHeaders();
        query.headers().forEach(h -> headers.add(h.key(), h.value()));
        byte[] key = key(query.id());
        byte[] value = ANSWERS.toBytes(answer);
        int size = size(key, value, headers);
        AnswerEvent sent = answer;
        if (size > maxRecordBytes) {
            // A tier's answer too large for the answers topic: the query fails with the reason instead of the task.
            sent = new AnswerEvent(answer.id(), answer.route(), AnswerEvent.Status.FAILED, answer.tier(),
                    answer.model(), null, answer.confidence(), answer.costUsd(), answer.latencyMs(), answer.attempts(),
                    "the answer of tier '" + answer.tier() + "' makes a " + size + "-byte record, over the "
                            + maxRecordBytes + "-byte limit of the answers topic (max.request.size)", answer.replayed());
            value = ANSWERS.toBytes(sent);
            LOG.warn("query '{}': {}", query.id(), sent.error());
        }
        context.forward(new Record<>(key, new Routed(query.replyTopic(), value), now(), headers), SINK_ANSWERS);
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

    /** Sends an input, bytes and headers unchanged, to the dead-letter topic with the reason and its origin. */
    void deadLetter(Record<byte[], byte[]> record, RejectReason reason, String detail) {
        Headers ours = new RecordHeaders();
        DeadLetterHeaders.addReason(ours, reason.tag(), detail);
        context.recordMetadata().ifPresent(m ->
                DeadLetterHeaders.addSource(ours, m.topic(), m.partition(), m.offset()));
        Headers headers = new RecordHeaders(record.headers().toArray());
        byte[] value = record.value();
        if (size(record.key(), value, headers) + size(null, null, ours) > maxRecordBytes) {
            // Too large to copy whole next to the reason: keep the start of the value and a hash of all of it.
            if (size(record.key(), null, headers) + size(null, null, ours) > maxRecordBytes / 2) {
                headers = new RecordHeaders(); // the producer's headers alone are too large to keep
            }
            ours.add(DeadLetterHeaders.ORIGINAL_BYTES, utf8(Integer.toString(value == null ? 0 : value.length)));
            ours.add(DeadLetterHeaders.ORIGINAL_SHA256, utf8(sha256(value)));
            int room = Math.max(0, maxRecordBytes - size(record.key(), null, headers) - size(null, null, ours));
            value = value == null ? null : Arrays.copyOf(value, Math.min(value.length, room));
        }
        ours.forEach(headers::add);
        context.forward(new Record<>(record.key(), (Object) value, record.timestamp(), headers), SINK_DLQ);
        metrics.rejected(reason);
    }

    /** Bytes a record of these parts takes, framing aside. */
    static int size(byte[] key, byte[] value, Headers headers) {
        long n = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            n += h.key().length() * 3L + (h.value() == null ? 0 : h.value().length) + 8;
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    private static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value == null ? new byte[0] : value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }
}
