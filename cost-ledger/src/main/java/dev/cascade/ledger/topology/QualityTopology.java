package dev.cascade.ledger.topology;

import dev.cascade.events.FeedbackEvent;
import dev.cascade.events.JsonSerde;
import dev.cascade.events.RouteTier;
import dev.cascade.events.ShadowRecord;
import dev.cascade.ledger.model.QualityCounts;
import dev.cascade.ledger.model.ShadowFacts;
import dev.cascade.ledger.model.Verdicts;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The paired quality estimate's part of the ledger's topology. Shadow records (every tier's answer to a sampled
 * query) become a table of {@link ShadowFacts} by query id; every feedback record updates a table of
 * {@link Verdicts} by query id; the two tables are joined, so a verdict that comes before or long after its shadow
 * record lands on it, and the latest verdict on an answer replaces the earlier (a table join and aggregations with
 * a subtractor take the old contribution out). Contributions are summed by route and reference: all time, and in a
 * ring of minute and of hour buckets (a bucket's slot is reused by a later bucket, so the stores stay small; the
 * minute ring spans {@value #MINUTE_SLOTS} minutes, the hour ring {@value #HOUR_SLOTS} hours). A query's bucket is
 * its shadow record's time. Every node, store and repartition topic is named.
 *
 * <p>The two joined tables are not cached: with a cache, one side's update could be joined with the other side's
 * value before that value was forwarded, and the same query would be added twice.
 */
final class QualityTopology {
    static final String SAMPLES = "quality-samples";
    static final String VERDICTS = "quality-verdicts";
    static final int MINUTE_SLOTS = 120;
    static final int HOUR_SLOTS = 48;

    private static final JsonSerde<ShadowRecord> SHADOWS = JsonSerde.of(ShadowRecord.class);
    private static final JsonSerde<ShadowFacts> FACTS = JsonSerde.of(ShadowFacts.class);
    private static final JsonSerde<Verdicts> VERDICT_SERDE = JsonSerde.of(Verdicts.class);
    private static final JsonSerde<FeedbackEvent> FEEDBACK = JsonSerde.of(FeedbackEvent.class);
    static final JsonSerde<QualityCounts> COUNTS = JsonSerde.of(QualityCounts.class);

    private QualityTopology() {
    }

    /**
     * @param feedback   every usable feedback record, keyed by query id (not yet partitioned by it)
     * @param references the configured reference of a route, or null (then a record's last tier is the reference)
     */
    static void addTo(StreamsBuilder b, ParsedSource sources, String shadowTopic,
                      KStream<String, FeedbackEvent> feedback, UnaryOperator<String> references) {
        KTable<String, ShadowFacts> samples = sources.stream(shadowTopic, "shadow", SHADOWS, ShadowFacts::problem)
                .mapValues(r -> ShadowFacts.of(r, references.apply(r.route())), Named.as("shadow-facts"))
                .toTable(Named.as(SAMPLES + "-table"), Materialized
                        .<String, ShadowFacts, KeyValueStore<Bytes, byte[]>>as(SAMPLES)
                        .withKeySerde(Serdes.String()).withValueSerde(FACTS).withCachingDisabled());
        KTable<String, Verdicts> verdicts = feedback
                .groupByKey(Grouped.with("quality-feedback-by-query", Serdes.String(), FEEDBACK))
                .aggregate(Verdicts::empty, (id, f, v) -> v.with(f), Named.as(VERDICTS + "-agg"), Materialized
                        .<String, Verdicts, KeyValueStore<Bytes, byte[]>>as(VERDICTS)
                        .withKeySerde(Serdes.String()).withValueSerde(VERDICT_SERDE).withCachingDisabled());
        KTable<String, QualityCounts> contributions = samples.leftJoin(verdicts, QualityCounts::of,
                Named.as("quality-pairs"));

        contributions.groupBy((id, c) -> KeyValue.pair(key(c), c), Grouped.with("quality-by-route", Serdes.String(),
                        COUNTS))
                .aggregate(QualityCounts::empty, (k, c, agg) -> agg.plus(c), (k, c, agg) -> agg.minus(c),
                        Named.as(LedgerTopology.QUALITY_TOTALS + "-agg"), store(LedgerTopology.QUALITY_TOTALS));
        ring(contributions, "minute", Duration.ofMinutes(1), MINUTE_SLOTS);
        ring(contributions, "hour", Duration.ofHours(1), HOUR_SLOTS);
    }

    /** Sums contributions into {@code slots} buckets of {@code size}, slot = bucket number modulo slots. */
    private static void ring(KTable<String, QualityCounts> contributions, String window, Duration size, int slots) {
        long ms = size.toMillis();
        contributions.groupBy((id, c) -> KeyValue.pair(key(c) + "|" + Math.floorMod(bucket(c, ms) / ms, slots), c),
                        Grouped.with("quality-by-" + window, Serdes.String(), COUNTS))
                .aggregate(QualityCounts::empty,
                        (k, c, agg) -> {
                            long start = bucket(c, ms);
                            if (agg.bucket() < start) {
                                return QualityCounts.empty().inBucket(start).plus(c); // the slot's older bucket ends
                            }
                            return agg.bucket() == start ? agg.plus(c) : agg; // older than the slot's bucket: gone
                        },
                        (k, c, agg) -> agg.bucket() == bucket(c, ms) ? agg.minus(c) : agg,
                        Named.as(LedgerTopology.qualityStore(window) + "-agg"),
                        store(LedgerTopology.qualityStore(window)));
    }

    private static long bucket(QualityCounts c, long ms) {
        return c.firstTs() - Math.floorMod(c.firstTs(), ms);
    }

    private static String key(QualityCounts c) {
        return new RouteTier(c.route(), c.reference()).key();
    }

    private static Materialized<String, QualityCounts, KeyValueStore<Bytes, byte[]>> store(String name) {
        return Materialized.<String, QualityCounts, KeyValueStore<Bytes, byte[]>>as(name)
                .withKeySerde(Serdes.String()).withValueSerde(COUNTS);
    }
}
