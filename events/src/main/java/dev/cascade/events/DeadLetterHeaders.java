package dev.cascade.events;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * Headers of a record on a dead-letter topic ({@code cascade.dlq}, {@code cascade.ledger.dlq}): why it was refused,
 * and where it came from. The refused record's own headers and bytes stay as they were; these are added.
 */
public final class DeadLetterHeaders {
    /** A short, stable reason tag (for example {@code not_json}, {@code no_route}). */
    public static final String REASON = "cascade.dlq.reason";
    /** A human-readable explanation. */
    public static final String DETAIL = "cascade.dlq.detail";
    /** Topic, partition and offset of the refused record. */
    public static final String TOPIC = "cascade.dlq.topic";
    public static final String PARTITION = "cascade.dlq.partition";
    public static final String OFFSET = "cascade.dlq.offset";
    /** Set when the refused value was cut to fit the topic's record limit: its original length in bytes... */
    public static final String ORIGINAL_BYTES = "cascade.dlq.original.bytes";
    /** ...and the hex SHA-256 of the whole original value, so it can be matched with the producer's copy. */
    public static final String ORIGINAL_SHA256 = "cascade.dlq.original.sha256";

    private DeadLetterHeaders() {
    }

    /** Adds the reason and, when known, the detail. */
    public static void addReason(Headers headers, String reason, String detail) {
        headers.add(REASON, utf8(reason));
        if (detail != null) {
            headers.add(DETAIL, utf8(detail));
        }
    }

    /** Adds where the refused record was read from. */
    public static void addSource(Headers headers, String topic, int partition, long offset) {
        headers.add(TOPIC, utf8(topic));
        headers.add(PARTITION, utf8(Integer.toString(partition)));
        headers.add(OFFSET, utf8(Long.toString(offset)));
    }

    /** The UTF-8 text of the last header with this key, or null. */
    public static String read(Headers headers, String key) {
        var h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
