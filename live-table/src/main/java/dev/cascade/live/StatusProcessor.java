package dev.cascade.live;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import dev.cascade.events.SettingsStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports on every record of a compacted settings topic: a status record (same key) with {@code ACCEPTED} or
 * {@code REJECTED}, the reason, the settings record's partition and offset, and the value in effect afterwards (the
 * last good one when a record is refused); plus a callback (for a metric) and, for refusals, a log line. Runs in a
 * Kafka Streams task, so each settings record gets exactly one status record.
 */
public final class StatusProcessor<V> implements Processor<String, byte[], String, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(StatusProcessor.class);

    /** Names of one status sub-topology: its nodes, store and the JSON fields of its records. */
    public record Names(String prefix, String keyField, String effectiveField) {
        String source() {
            return prefix + "-source";
        }

        String processor() {
            return prefix + "-status";
        }

        String store() {
            return prefix + "-accepted";
        }

        String sink() {
            return prefix + "-status-sink";
        }
    }

    private final RecordValidator<V> validator;
    private final Names names;
    private final Consumer<Boolean> counter;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, String> accepted;

    StatusProcessor(RecordValidator<V> validator, Names names, Consumer<Boolean> counter) {
        this.validator = validator;
        this.names = names;
        this.counter = counter;
    }

    /** Adds "settings topic in, status topic out" with its store of accepted values to {@code topology}. */
    public static <V> void addTo(Topology topology, String topic, String statusTopic, RecordValidator<V> validator,
                                 Names names, Consumer<Boolean> counter) {
        topology.addSource(names.source(), new StringDeserializer(), new ByteArrayDeserializer(), topic);
        topology.addProcessor(names.processor(), () -> new StatusProcessor<>(validator, names, counter),
                names.source());
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(names.store()),
                Serdes.String(), Serdes.String()), names.processor());
        topology.addSink(names.sink(), statusTopic, new StringSerializer(), new ByteArraySerializer(),
                names.processor());
    }

    /**
     * The same sub-topology, with the same node, store and topic names, built in a {@link StreamsBuilder}: so an
     * application can add more of its topology after it and keep the sub-topology's number.
     */
    public static <V> void addTo(StreamsBuilder builder, String topic, String statusTopic,
                                 RecordValidator<V> validator, Names names, Consumer<Boolean> counter) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(names.store()),
                Serdes.String(), Serdes.String()));
        builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(names.source()))
                .process(() -> new StatusProcessor<>(validator, names, counter), Named.as(names.processor()),
                        names.store())
                .to(statusTopic, Produced.with(Serdes.String(), Serdes.ByteArray()).withName(names.sink()));
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.accepted = context.getStateStore(names.store());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String key = record.key();
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put(names.keyField(), key);
        context.recordMetadata().ifPresent(m -> {
            status.put(SettingsStatus.PARTITION, m.partition());
            status.put(SettingsStatus.OFFSET, m.offset());
        });
        status.put(SettingsStatus.TIMESTAMP, context.currentSystemTimeMs());
        if (key == null) {
            counter.accept(false);
            LOG.warn("record without a key at {} refused", where(status));
            return;
        }
        if (record.value() == null) {
            accepted.delete(key);
            status.put(SettingsStatus.STATUS, SettingsStatus.Verdict.ACCEPTED.name())
                    .put(SettingsStatus.REASON, "removed (tombstone)");
            counter.accept(true);
        } else {
            try {
                accepted.put(key, validator.toJson(validator.parse(key, record.value())).toString());
                status.put(SettingsStatus.STATUS, SettingsStatus.Verdict.ACCEPTED.name());
                counter.accept(true);
            } catch (InvalidRecordException e) {
                status.put(SettingsStatus.STATUS, SettingsStatus.Verdict.REJECTED.name())
                        .put(SettingsStatus.REASON, e.getMessage());
                counter.accept(false);
                LOG.warn("record for '{}' at {} rejected: {}; the last good value stays", key, where(status),
                        e.getMessage());
            }
        }
        String effective = accepted.get(key);
        if (effective == null) {
            status.putNull(names.effectiveField());
        } else {
            try {
                status.set(names.effectiveField(), Json.mapper().readTree(effective));
            } catch (IOException e) {
                throw new IllegalStateException("store " + names.store() + " holds unreadable JSON for " + key, e);
            }
        }
        context.forward(new Record<>(key, status.toString().getBytes(StandardCharsets.UTF_8),
                context.currentSystemTimeMs()));
    }

    private static String where(ObjectNode status) {
        return "partition " + status.path(SettingsStatus.PARTITION).asText("?") + " offset "
                + status.path(SettingsStatus.OFFSET).asText("?");
    }
}
