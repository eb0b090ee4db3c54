package dev.cascade.ledger.topology;

import dev.cascade.events.DeadLetterHeaders;
import dev.cascade.ledger.metrics.LedgerMetrics;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Adds the reason (and where the record came from) as headers to a record bound for the dead-letter topic. */
final class DeadLetterTagger<V> implements FixedKeyProcessor<String, V, V> {
    private final Function<V, String> reason;
    private final LedgerMetrics metrics;
    private final String source;
    private FixedKeyProcessorContext<String, V> context;

    DeadLetterTagger(Function<V, String> reason, LedgerMetrics metrics, String source) {
        this.reason = reason;
        this.metrics = metrics;
        this.source = source;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, V> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        String why = reason.apply(record.value());
        DeadLetterHeaders.addReason(record.headers(), why == null ? "unknown" : why, null);
        context.recordMetadata().ifPresent(m ->
                DeadLetterHeaders.addSource(record.headers(), m.topic(), m.partition(), m.offset()));
        metrics.deadLetter(source);
        context.forward(record);
    }
}
