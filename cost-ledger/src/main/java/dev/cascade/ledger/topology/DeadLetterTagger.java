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
    private FixedKeyProcessorContext<String, byte[]> context;

    DeadLetterTagger(LedgerMetrics metrics, String source) {
        this.metrics = metrics;
        this.source = source;
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
        context.forward(out);
    }
}
