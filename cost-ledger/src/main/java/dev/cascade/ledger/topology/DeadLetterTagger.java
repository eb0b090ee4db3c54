package dev.cascade.ledger.topology;

import dev.cascade.events.DeadLetterHeaders;
import dev.cascade.ledger.metrics.LedgerMetrics;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Turns a value that cannot be used back into the bytes as read, with the reason (and where the record came from)
 * added as {@link DeadLetterHeaders}, for the dead-letter topic; counts it by source.
 */
final class DeadLetterTagger<T> implements FixedKeyProcessor<String, Parsed<T>, byte[]> {
    private final LedgerMetrics metrics;
    private final String source;
    private final int maxRecordBytes;
    private FixedKeyProcessorContext<String, byte[]> context;

    /** @param maxRecordBytes the producer's limit: a dead letter over it is cut to fit ({@link DeadLetterHeaders#fit}) */
    DeadLetterTagger(LedgerMetrics metrics, String source, int maxRecordBytes) {
        this.metrics = metrics;
        this.source = source;
        this.maxRecordBytes = maxRecordBytes - 512;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, Parsed<T>> record) {
        String why = record.value().problem();
        FixedKeyRecord<String, byte[]> out = record.withValue(record.value().raw());
        DeadLetterHeaders.addReason(out.headers(), why == null ? "unknown" : why, null);
        context.recordMetadata().ifPresent(m ->
                DeadLetterHeaders.addSource(out.headers(), m.topic(), m.partition(), m.offset()));
        metrics.deadLetter(source);
        context.forward(out.withValue(DeadLetterHeaders.fit(record.key() == null ? null
                : record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), out.value(), out.headers(),
                maxRecordBytes)));
    }
}
