package dev.cascade.ledger.topology;

import dev.cascade.events.AnswerEvent;
import dev.cascade.events.AttemptEvent;
import dev.cascade.events.FeedbackEvent;
import dev.cascade.events.JsonSerde;
import dev.cascade.events.MoneyBounds;
import dev.cascade.events.Outcome;
import dev.cascade.events.RouteTier;
import dev.cascade.events.SettingsStatus;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.metrics.LedgerMetrics;
import dev.cascade.ledger.model.LedgerEvent;
import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.pricing.PricingValidator;
import dev.cascade.live.StatusProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
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
 * The ledger's topology. Attempts and feedback become {@link LedgerEvent}s keyed by {@link RouteTier} and are
 * aggregated into all-time totals and minute, hour and day windows. Feedback is joined to the tier that answered
 * through a table of accepted attempts (query id to route and tier), so feedback that comes hours later still lands
 * on the right tier; feedback for a query the ledger has not seen goes to the unmatched-feedback topic. Windows are
 * by event time: an attempt's own timestamp, a feedback record's timestamp. Each topic value is parsed once; what
 * cannot be read goes to the ledger's dead-letter topic. A last sub-topology reports on every record of the pricing
 * topic. Feedback naming a tier (a judgement of that tier's answer in a shadow record) does not count in the
 * per-tier accuracy, which stays the accuracy on the queries a tier served; all feedback, with shadow records, feeds
 * the paired quality estimate ({@link QualityTopology}), whose sub-topologies come after the pricing one. Every
 * operator and store is named, and the names do not change (rolling upgrades).
 */
public final class LedgerTopology {
    public static final String TOTALS = "tier-totals";
    public static final String FAILED = "failed-by-route";
    public static final String ANSWERED_BY = "answered-by";
    /** All-time paired quality counts by {@code route|reference}. */
    public static final String QUALITY_TOTALS = "quality-totals";
    /** Sizes of the quality buckets kept in rings ("minute", "hour"). */
    public static final List<String> QUALITY_BUCKETS = List.of("minute", "hour");
    public static final Map<String, Duration> WINDOWS = Map.of("minute", Duration.ofMinutes(1),
            "hour", Duration.ofHours(1), "day", Duration.ofDays(1));
    /** Node and store names of the pricing-status sub-topology, and the fields of its status records. */
    public static final StatusProcessor.Names PRICING_STATUS = new StatusProcessor.Names("pricing",
            SettingsStatus.PRICING_KEY, SettingsStatus.PRICING_EFFECTIVE);

    private static final JsonSerde<AttemptEvent> ATTEMPTS = JsonSerde.of(AttemptEvent.class);
    private static final JsonSerde<AnswerEvent> ANSWERS = JsonSerde.of(AnswerEvent.class);
    private static final JsonSerde<FeedbackEvent> FEEDBACK = JsonSerde.of(FeedbackEvent.class);
    private static final JsonSerde<LedgerEvent> EVENTS = JsonSerde.of(LedgerEvent.class);
    public static final JsonSerde<TierStats> STATS = JsonSerde.of(TierStats.class);
    /** {@code route|tier} as UTF-8, as the answered-by store has always held it. */
    static final Serde<RouteTier> ROUTE_TIER = Serdes.serdeFrom(
            (topic, rt) -> rt == null ? null : rt.key().getBytes(StandardCharsets.UTF_8),
            (topic, bytes) -> bytes == null ? null : RouteTier.parse(new String(bytes, StandardCharsets.UTF_8)));

    private LedgerTopology() {
    }

    /** Store name of a window size ("minute", "hour", "day"). */
    public static String windowStore(String window) {
        return "tier-" + window;
    }

    /** Store of the quality buckets of a size ("minute", "hour"), keyed {@code route|reference|slot}. */
    public static String qualityStore(String size) {
        return "quality-" + size;
    }

    /** The topology with the quality references of the config file only. */
    public static Topology build(LedgerConfig config, LedgerMetrics metrics) {
        return build(config, metrics, route -> {
            dev.cascade.ledger.quality.QualityTarget t = config.qualityTargets().get(route);
            return t == null ? null : t.reference();
        });
    }

    /**
     * @param references a route's configured quality reference, or null for its last tier; read when a shadow
     *                   record is counted (the live policies, over the config file's targets)
     */
    public static Topology build(LedgerConfig config, LedgerMetrics metrics,
                                 UnaryOperator<String> references) {
        StreamsBuilder b = new StreamsBuilder();
        LedgerConfig.Topics t = config.topics();
        ParsedSource sources = new ParsedSource(b, t.dlq(), metrics, config.maxRecordBytes());

        KStream<String, AttemptEvent> attempts = sources.stream(t.attempts(), "attempts", ATTEMPTS,
                LedgerTopology::attemptProblem);
        KStream<String, LedgerEvent> attemptEvents = attempts.process(
                () -> new ToLedgerEvent<AttemptEvent>(LedgerEvent::attempt), Named.as("attempt-to-event"));

        KTable<String, RouteTier> answeredBy = attempts
                .filter((id, a) -> a.outcome() == Outcome.ACCEPTED && !a.shadow(), Named.as("accepted-attempts"))
                .mapValues(a -> new RouteTier(a.route(), a.tier()), Named.as("accepted-route-tier"))
                .toTable(Named.as(ANSWERED_BY + "-table"), Materialized
                        .<String, RouteTier, KeyValueStore<Bytes, byte[]>>as(ANSWERED_BY)
                        .withKeySerde(Serdes.String()).withValueSerde(ROUTE_TIER));

        KStream<String, FeedbackEvent> feedback = sources.stream(t.feedback(), "feedback", FEEDBACK,
                        FeedbackEvent::problem)
                .selectKey((k, f) -> f.queryId(), Named.as("feedback-by-query"));
        Map<String, KStream<String, JoinedFeedback>> joined = feedback
                .filter((id, f) -> f.judgesServedAnswer(), Named.as("served-answer-feedback"))
                .leftJoin(answeredBy, JoinedFeedback::new, Joined.<String, FeedbackEvent, RouteTier>with(
                        Serdes.String(), FEEDBACK, ROUTE_TIER).withName("feedback-join"))
                .split(Named.as("joined-feedback-"))
                .branch((id, j) -> j.answeredBy() != null, Branched.as("matched"))
                .defaultBranch(Branched.as("unmatched"));
        KStream<String, LedgerEvent> feedbackEvents = joined.get("joined-feedback-matched").process(
                () -> new ToLedgerEvent<JoinedFeedback>((j, recordTime) ->
                        LedgerEvent.feedback(j.answeredBy(), j.feedback(), recordTime)), Named.as("feedback-event"));
        // feedback for a query the ledger has not seen is kept on its own topic and counted, never dropped
        joined.get("joined-feedback-unmatched")
                .peek((id, j) -> metrics.unmatchedFeedback(), Named.as("count-unmatched"))
                .mapValues(JoinedFeedback::feedback, Named.as("unmatched-feedback"))
                .to(t.unmatchedFeedback(), Produced.with(Serdes.String(), FEEDBACK).withName("unmatched-sink"));

        aggregate(attemptEvents.merge(feedbackEvents, Named.as("all-events")), config);

        sources.stream(t.answers(), "answers", ANSWERS, LedgerTopology::answerProblem)
                .filter((id, a) -> a.status() == AnswerEvent.Status.FAILED, Named.as("failed-answers"))
                .groupBy((id, a) -> a.route(), Grouped.with("failed-by-route-grouped", Serdes.String(), ANSWERS))
                .count(Named.as(FAILED + "-count"), Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(FAILED)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
        StatusProcessor.addTo(b, t.pricing(), t.pricingStatus(), new PricingValidator(config.referenceTier()),
                PRICING_STATUS, metrics::pricingRecord);
        QualityTopology.addTo(b, sources, t.shadow(), feedback, references);
        return b.build();
    }

    /** Totals and windows by route and tier; the events' record timestamps are their event times. */
    private static void aggregate(KStream<String, LedgerEvent> events, LedgerConfig config) {
        KGroupedStream<String, LedgerEvent> grouped = events
                .repartition(Repartitioned.with(Serdes.String(), EVENTS).withName("by-route-tier"))
                .groupByKey(Grouped.with("by-route-tier-grouped", Serdes.String(), EVENTS));
        grouped.aggregate(TierStats::empty, (k, e, agg) -> agg.add(e), Named.as(TOTALS + "-agg"),
                Materialized.<String, TierStats, KeyValueStore<Bytes, byte[]>>as(TOTALS)
                        .withKeySerde(Serdes.String()).withValueSerde(STATS));
        WINDOWS.forEach((name, size) -> grouped
                .windowedBy(TimeWindows.ofSizeAndGrace(size, Duration.ofHours(1)))
                .aggregate(TierStats::empty, (k, e, agg) -> agg.add(e), Named.as(windowStore(name) + "-agg"),
                        Materialized.<String, TierStats, WindowStore<Bytes, byte[]>>as(windowStore(name))
                                .withKeySerde(Serdes.String()).withValueSerde(STATS)
                                .withRetention(retention(config, name))));
    }

    /** Feedback and the route and tier that answered its query (null when unknown). */
    private record JoinedFeedback(FeedbackEvent feedback, RouteTier answeredBy) {
    }

    private static Duration retention(LedgerConfig c, String window) {
        return switch (window) {
            case "minute" -> c.minuteRetention();
            case "hour" -> c.hourRetention();
            default -> c.dayRetention();
        };
    }

    /** Why an attempt cannot be aggregated, or null. */
    static String attemptProblem(AttemptEvent a) {
        if (a.route() == null || a.tier() == null || a.outcome() == null || a.costUsd() == null) {
            return "attempt without route, tier, outcome or cost_usd";
        }
        if (a.tier().indexOf(RouteTier.SEPARATOR) >= 0) {
            return "attempt tier cannot contain '" + RouteTier.SEPARATOR + "': " + a.tier();
        }
        if (a.promptTokens() < 0 || a.completionTokens() < 0) {
            return "attempt token counts must be >= 0, got " + a.promptTokens() + " and " + a.completionTokens();
        }
        return MoneyBounds.problem("attempt cost_usd", a.costUsd());
    }

    /** Why an answer cannot be counted, or null. */
    static String answerProblem(AnswerEvent a) {
        return a.route() == null || a.status() == null ? "answer without route or status" : null;
    }
}
