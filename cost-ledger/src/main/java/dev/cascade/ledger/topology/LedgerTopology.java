package dev.cascade.ledger.topology;

import dev.cascade.events.AnswerEvent;
import dev.cascade.events.AttemptEvent;
import dev.cascade.events.DeadLetterHeaders;
import dev.cascade.events.JsonSerde;
import dev.cascade.events.Outcome;
import dev.cascade.events.SettingsStatus;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.metrics.LedgerMetrics;
import dev.cascade.ledger.model.Feedback;
import dev.cascade.ledger.model.LedgerEvent;
import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.pricing.PricingValidator;
import dev.cascade.live.StatusProcessor;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The ledger's topology. Attempts and feedback become {@link LedgerEvent}s keyed by route and tier and are
 * aggregated into all-time totals and minute, hour and day windows. Feedback is joined to the tier that answered
 * through a table of accepted attempts (query id to route and tier), so feedback that comes hours later still lands
 * on the right tier; feedback for a query the ledger has not seen goes to the unmatched-feedback topic. Records that
 * cannot be read go to the ledger's dead-letter topic. A last sub-topology reports on every record of the pricing
 * topic. Every operator and store is named.
 */
public final class LedgerTopology {
    public static final String TOTALS = "tier-totals";
    public static final String FAILED = "failed-by-route";
    public static final String ANSWERED_BY = "answered-by";
    public static final Map<String, Duration> WINDOWS = Map.of("minute", Duration.ofMinutes(1),
            "hour", Duration.ofHours(1), "day", Duration.ofDays(1));
    public static final String DLQ_REASON = DeadLetterHeaders.REASON;
    /** Node and store names of the pricing-status sub-topology, and the fields of its status records. */
    public static final StatusProcessor.Names PRICING_STATUS = new StatusProcessor.Names("pricing",
            SettingsStatus.PRICING_KEY, SettingsStatus.PRICING_EFFECTIVE);

    private static final JsonSerde<AttemptEvent> ATTEMPTS = JsonSerde.of(AttemptEvent.class);
    private static final JsonSerde<AnswerEvent> ANSWERS = JsonSerde.of(AnswerEvent.class);
    private static final JsonSerde<Feedback> FEEDBACK = JsonSerde.of(Feedback.class);
    private static final JsonSerde<LedgerEvent> EVENTS = JsonSerde.of(LedgerEvent.class);
    public static final JsonSerde<TierStats> STATS = JsonSerde.of(TierStats.class);

    private LedgerTopology() {
    }

    /** Store name of a window size ("minute", "hour", "day"). */
    public static String windowStore(String window) {
        return "tier-" + window;
    }

    public static Topology build(LedgerConfig config, LedgerMetrics metrics) {
        StreamsBuilder b = new StreamsBuilder();
        LedgerConfig.Topics t = config.topics();
        String dlqTopic = t.dlq();

        KStream<String, AttemptEvent> attempts = parsed(b, t.attempts(), ATTEMPTS, dlqTopic, metrics, "attempts");
        KStream<String, LedgerEvent> attemptEvents = attempts.map((id, a) -> KeyValue.pair(
                LedgerEvent.key(a.route(), a.tier()), new LedgerEvent(LedgerEvent.Kind.ATTEMPT, a.route(), a.tier(),
                        a.outcome().name(), a.promptTokens(), a.completionTokens(), a.latencyMs(), a.costUsd(),
                        a.shadow(), null, null, a.timestamp())), Named.as("attempt-to-event"));

        KTable<String, String> answeredBy = attempts
                .filter((id, a) -> a.outcome() == Outcome.ACCEPTED && !a.shadow(), Named.as("accepted-attempts"))
                .mapValues(a -> LedgerEvent.key(a.route(), a.tier()), Named.as("accepted-route-tier"))
                .toTable(Named.as(ANSWERED_BY + "-table"), Materialized.<String, String, KeyValueStore<Bytes, byte[]>>as(
                        ANSWERED_BY).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));

        KStream<String, Feedback> feedback = parsed(b, t.feedback(), FEEDBACK, dlqTopic, metrics, "feedback")
                .selectKey((k, f) -> f.queryId(), Named.as("feedback-by-query"));
        Map<String, KStream<String, JoinedFeedback>> joined = feedback
                .leftJoin(answeredBy, JoinedFeedback::new, Joined.<String, Feedback, String>with(Serdes.String(),
                        FEEDBACK, Serdes.String()).withName("feedback-join"))
                .split(Named.as("joined-feedback-"))
                .branch((id, j) -> j.routeTier() != null, Branched.as("matched"))
                .defaultBranch(Branched.as("unmatched"));
        KStream<String, LedgerEvent> feedbackEvents = joined.get("joined-feedback-matched")
                .map((id, j) -> KeyValue.pair(j.routeTier(), j.event()), Named.as("feedback-event"));
        // feedback for a query the ledger has not seen is kept on its own topic and counted, never dropped
        joined.get("joined-feedback-unmatched")
                .peek((id, j) -> metrics.unmatchedFeedback(), Named.as("count-unmatched"))
                .mapValues(JoinedFeedback::feedback, Named.as("unmatched-feedback"))
                .to(t.unmatchedFeedback(), Produced.with(Serdes.String(), FEEDBACK).withName("unmatched-sink"));

        KStream<String, LedgerEvent> byTier = attemptEvents.merge(feedbackEvents, Named.as("all-events"))
                .repartition(Repartitioned.with(Serdes.String(), EVENTS).withName("by-route-tier"));
        KGroupedStream<String, LedgerEvent> grouped = byTier.groupByKey(Grouped.with("by-route-tier-grouped",
                Serdes.String(), EVENTS));
        grouped.aggregate(TierStats::empty, (k, e, agg) -> agg.add(e), Named.as(TOTALS + "-agg"),
                Materialized.<String, TierStats, KeyValueStore<Bytes, byte[]>>as(TOTALS)
                        .withKeySerde(Serdes.String()).withValueSerde(STATS));
        WINDOWS.forEach((name, size) -> grouped
                .windowedBy(TimeWindows.ofSizeAndGrace(size, Duration.ofHours(1)))
                .aggregate(TierStats::empty, (k, e, agg) -> agg.add(e), Named.as(windowStore(name) + "-agg"),
                        Materialized.<String, TierStats, WindowStore<Bytes, byte[]>>as(windowStore(name))
                                .withKeySerde(Serdes.String()).withValueSerde(STATS)
                                .withRetention(retention(config, name))));

        parsed(b, t.answers(), ANSWERS, dlqTopic, metrics, "answers")
                .filter((id, a) -> a.status() == AnswerEvent.Status.FAILED, Named.as("failed-answers"))
                .groupBy((id, a) -> a.route(), Grouped.with("failed-by-route-grouped", Serdes.String(), ANSWERS))
                .count(Named.as(FAILED + "-count"), Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(FAILED)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
        Topology topology = b.build();
        StatusProcessor.addTo(topology, t.pricing(), t.pricingStatus(), new PricingValidator(config.referenceTier()),
                PRICING_STATUS, metrics::pricingRecord);
        return topology;
    }

    /** Feedback and the route and tier that answered its query (null when unknown). */
    private record JoinedFeedback(Feedback feedback, String routeTier) {
        LedgerEvent event() {
            String[] parts = routeTier.split("\\|", 2);
            return new LedgerEvent(LedgerEvent.Kind.FEEDBACK, parts[0], parts[1], null, 0, 0, 0, null, false,
                    feedback.correct(), feedback.score(), System.currentTimeMillis());
        }
    }

    private static Duration retention(LedgerConfig c, String window) {
        return switch (window) {
            case "minute" -> c.minuteRetention();
            case "hour" -> c.hourRetention();
            default -> c.dayRetention();
        };
    }

    /**
     * Reads a topic as bytes and parses each value; what cannot be read (or, for feedback, is invalid) goes to the
     * dead-letter topic with the reason in a header, and is counted.
     */
    private static <T> KStream<String, T> parsed(StreamsBuilder b, String topic, JsonSerde<T> serde, String dlq,
                                                 LedgerMetrics metrics, String name) {
        KStream<String, byte[]> raw = b.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray())
                .withName(name + "-source"));
        Map<String, KStream<String, byte[]>> branches = raw.split(Named.as(name + "-"))
                .branch((k, v) -> problem(serde, v) == null, Branched.as("ok"))
                .defaultBranch(Branched.as("bad"));
        branches.get(name + "-bad")
                .processValues(() -> new DeadLetterTagger<>(v -> problem(serde, v), metrics, name),
                        Named.as(name + "-dlq-headers"))
                .to(dlq, Produced.with(Serdes.String(), Serdes.ByteArray()).withName(name + "-dlq"));
        return branches.get(name + "-ok").mapValues(serde::fromBytes, Named.as(name + "-parse"));
    }

    static <T> String problem(JsonSerde<T> serde, byte[] value) {
        if (value == null) {
            return "empty value";
        }
        try {
            T parsed = serde.fromBytes(value);
            if (parsed instanceof Feedback f) {
                return f.problem();
            }
            if (parsed instanceof AttemptEvent a && (a.route() == null || a.tier() == null || a.outcome() == null
                    || a.costUsd() == null)) {
                return "attempt without route, tier, outcome or cost_usd";
            }
            if (parsed instanceof AnswerEvent a && (a.route() == null || a.status() == null)) {
                return "answer without route or status";
            }
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

}
