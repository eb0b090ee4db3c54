package dev.cascade.router.processor;

import dev.cascade.events.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/** Builds the dead letter of a refused input so that it fits the record limit. Pure, thread-safe. */
final class DeadLetters {
    private DeadLetters() {
    }

    /**
     * The input, key, value and headers unchanged, with {@code ours} (reason, origin) added; when that would not fit
     * {@code maxRecordBytes}, the value is cut to fit and {@code cascade.dlq.original.bytes} and
     * {@code cascade.dlq.original.sha256} describe the original, and the producer's headers are dropped if they alone
     * take half the limit.
     */
    static Record<byte[], Object> fit(Record<byte[], byte[]> record, Headers ours, int maxRecordBytes) {
        Headers headers = new RecordHeaders(record.headers().toArray());
        byte[] value = record.value();
        if (Outputs.size(record.key(), value, headers) + Outputs.size(null, null, ours) > maxRecordBytes) {
            if (Outputs.size(record.key(), null, headers) + Outputs.size(null, null, ours) > maxRecordBytes / 2) {
                headers = new RecordHeaders();
            }
            ours.add(DeadLetterHeaders.ORIGINAL_BYTES, utf8(Integer.toString(value == null ? 0 : value.length)));
            ours.add(DeadLetterHeaders.ORIGINAL_SHA256, utf8(sha256(value)));
            int room = Math.max(0, maxRecordBytes - Outputs.size(record.key(), null, headers)
                    - Outputs.size(null, null, ours));
            value = value == null ? null : Arrays.copyOf(value, Math.min(value.length, room));
        }
        ours.forEach(headers::add);
        return new Record<>(record.key(), value, record.timestamp(), headers);
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
}
