package dev.cascade.ledger.topology;

import dev.cascade.events.JsonSerde;
import dev.cascade.ledger.metrics.LedgerMetrics;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Reads a topic as bytes and parses each value once. What cannot be read, or fails its check, goes to the
 * dead-letter topic unchanged with the reason in a header, and is counted; the rest continues as records. Nodes are
 * named after the source: {@code <name>-source}, {@code -parse}, {@code -ok}, {@code -bad}, {@code -value},
 * {@code -dlq-headers}, {@code -dlq}.
 */
final class ParsedSource {
    private final StreamsBuilder builder;
    private final String dlqTopic;
    private final LedgerMetrics metrics;
    private final int maxRecordBytes;

    ParsedSource(StreamsBuilder builder, String dlqTopic, LedgerMetrics metrics, int maxRecordBytes) {
        this.builder = builder;
        this.dlqTopic = dlqTopic;
        this.metrics = metrics;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The usable records of {@code topic}; {@code check} returns why a parsed record cannot be used, or null. */
    <T> KStream<String, T> stream(String topic, String name, JsonSerde<T> serde, Function<? super T, String> check) {
        Map<String, KStream<String, Parsed<T>>> branches = builder
                .stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(name + "-source"))
                .mapValues(raw -> Parsed.of(raw, serde, check), Named.as(name + "-parse"))
                .split(Named.as(name + "-"))
                .branch((k, parsed) -> parsed.ok(), Branched.as("ok"))
                .defaultBranch(Branched.as("bad"));
        branches.get(name + "-bad")
                .processValues(() -> new DeadLetterTagger<T>(metrics, name, maxRecordBytes), Named.as(name + "-dlq-headers"))
                .to(dlqTopic, Produced.with(Serdes.String(), Serdes.ByteArray()).withName(name + "-dlq"));
        return branches.get(name + "-ok").mapValues(Parsed::value, Named.as(name + "-value"));
    }
}
