package dev.cascade.ledger.topology;

import dev.cascade.ledger.model.LedgerEvent;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns a record into a {@link LedgerEvent} keyed by its route and tier and stamped with the event's time, so the
 * windows downstream are assigned by the same time the aggregates record as first and last seen.
 */
final class ToLedgerEvent<V> implements Processor<String, V, String, LedgerEvent> {
    /** Builds the event from a value and its record's timestamp. */
    @FunctionalInterface
    interface Mapper<V> {
        LedgerEvent apply(V value, long recordTimestamp);
    }

    private final Mapper<? super V> mapper;
    private ProcessorContext<String, LedgerEvent> context;

    ToLedgerEvent(Mapper<? super V> mapper) {
        this.mapper = mapper;
    }

    @Override
    public void init(ProcessorContext<String, LedgerEvent> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, V> record) {
        LedgerEvent event = mapper.apply(record.value(), record.timestamp());
        context.forward(record.withKey(event.routeTier().key()).withValue(event).withTimestamp(event.timestamp()));
    }
}
