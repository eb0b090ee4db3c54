package dev.cascade.ledger.topology;

import dev.cascade.ledger.metrics.LedgerMetrics;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Adds the reason (and where the record came from) as headers to a record bound for the dead-letter topic. */
final class DeadLetterHeaders<V> implements FixedKeyProcessor<String, V, V> {
    private final Function<V, String> reason;
    private final LedgerMetrics metrics;
    private final String source;
    private FixedKeyProcessorContext<String, V> context;

    DeadLetterHeaders(Function<V, String> reason, LedgerMetrics metrics, String source) {
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
        record.headers().add(LedgerTopology.DLQ_REASON, bytes(why == null ? "unknown" : why));
        context.recordMetadata().ifPresent(m -> {
            record.headers().add("cascade.dlq.topic", bytes(m.topic()));
            record.headers().add("cascade.dlq.partition", bytes(Integer.toString(m.partition())));
            record.headers().add("cascade.dlq.offset", bytes(Long.toString(m.offset())));
        });
        metrics.deadLetter(source);
        context.forward(record);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
