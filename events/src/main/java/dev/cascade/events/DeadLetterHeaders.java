package dev.cascade.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Headers of a record on a dead-letter topic ({@code cascade.dlq}, {@code cascade.ledger.dlq}): why it was refused,
 * and where it came from. The refused record's own headers and bytes stay as they were; these are added.
 */
public final class DeadLetterHeaders {
    /** A short, stable reason tag (for example {@code not_json}, {@code no_route}). */
    public static final String REASON = "cascade.dlq.reason";
    /** What every header added here starts with. */
    public static final String PREFIX = "cascade.dlq.";
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

    /**
     * Makes a dead letter fit a record limit. {@code headers} holds the refused record's own headers followed by
     * these; when key, value and headers together exceed {@code maxBytes}, the producer's headers are dropped if they
     * alone take half the limit, {@link #ORIGINAL_BYTES} and {@link #ORIGINAL_SHA256} describe the whole value, and
     * the value returned is its start, cut to fit. Otherwise the value is returned unchanged.
     */
    public static byte[] fit(byte[] key, byte[] value, Headers headers, int maxBytes) {
        if (size(key, value, headers) <= maxBytes) {
            return value;
        }
        long ours = 0;
        long theirs = 0;
        for (Header h : headers) {
            if (h.key().startsWith(PREFIX)) {
                ours += size(null, null, h);
            } else {
                theirs += size(null, null, h);
            }
        }
        if (theirs > maxBytes / 2) {
            for (Header h : headers.toArray()) {
                if (!h.key().startsWith(PREFIX)) {
                    headers.remove(h.key());
                }
            }
        }
        headers.add(ORIGINAL_BYTES, utf8(Integer.toString(value == null ? 0 : value.length)));
        headers.add(ORIGINAL_SHA256, utf8(sha256(value)));
        int room = Math.max(0, maxBytes - size(key, null, headers));
        return value == null ? null : Arrays.copyOf(value, Math.min(value.length, room));
    }

    /** Bytes a record of these parts takes, framing aside (a header's key counted at its worst UTF-8 length). */
    public static int size(byte[] key, byte[] value, Iterable<Header> headers) {
        long n = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            n += size(null, null, h);
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    private static long size(byte[] key, byte[] value, Header h) {
        return h.key().length() * 3L + (h.value() == null ? 0 : h.value().length) + 8;
    }

    private static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value == null ? new byte[0] : value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
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
