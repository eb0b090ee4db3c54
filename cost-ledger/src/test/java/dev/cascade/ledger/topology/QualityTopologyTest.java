package dev.cascade.ledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.core.quality.PairedCounts;
import dev.cascade.events.AttemptEvent;
import dev.cascade.events.DeadLetterHeaders;
import dev.cascade.events.JsonSerde;
import dev.cascade.events.Outcome;
import dev.cascade.events.ShadowRecord;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.metrics.LedgerMetrics;
import dev.cascade.ledger.model.QualityCounts;
import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.pricing.TierPrice;
import dev.cascade.ledger.quality.QualityEvidence;
import dev.cascade.ledger.quality.QualityReport;
import dev.cascade.ledger.quality.QualityTarget;
import dev.cascade.ledger.quality.QualityWindows;
import dev.cascade.ledger.quality.RouteQuality;
import dev.cascade.ledger.query.Summary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The paired quality estimate of the production topology under {@link TopologyTestDriver}, with exact counts. */
class QualityTopologyTest {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 3_600_000L;
    /** 2023-11-14T10:00:00Z. */
    private static final long T = 1_699_920_000_000L + 10 * HOUR;
    private static final List<String> TIERS = List.of("small", "medium", "general");
    private static final JsonSerde<ShadowRecord> SHADOWS = JsonSerde.of(ShadowRecord.class);
    private static final JsonSerde<AttemptEvent> ATTEMPTS = JsonSerde.of(AttemptEvent.class);

    @TempDir
    Path dir;
    private LedgerConfig config;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> shadows;
    private TestInputTopic<String, String> feedback;
    private TestInputTopic<String, String> attempts;
    private final Map<String, String> references = new TreeMap<>();

    @BeforeEach
    void startDriver() throws Exception {
        Path file = dir.resolve("ledger.yaml");
        Files.writeString(file, String.join("\n", "reference_tier: general", "pricing:",
                "  general: {kind: api, input_usd_per_1m_tokens: 2.50, output_usd_per_1m_tokens: 10.00}", ""));
        config = LedgerConfig.load(file, Map.of());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "quality-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        driver = new TopologyTestDriver(LedgerTopology.build(config, new LedgerMetrics(new SimpleMeterRegistry()),
                references::get), props, Instant.ofEpochMilli(T));
        shadows = driver.createInputTopic(config.topics().shadow(), new StringSerializer(), new StringSerializer());
        feedback = driver.createInputTopic(config.topics().feedback(), new StringSerializer(),
                new StringSerializer());
        attempts = driver.createInputTopic(config.topics().attempts(), new StringSerializer(),
                new StringSerializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldPairServedAndReferenceVerdictsWhicheverArrivesFirstAndLetTheLatestVerdictCount() {
        // q1: small served "A", general said "a." (they agree); judged after the shadow record
        shadow("q1", "small", T, Map.of("small", "A", "medium", "B", "general", "a."));
        judge("q1", null, true);
        judge("q1", "general", true);
        // q2: judged before its shadow record arrives; medium served, general disagrees
        judge("q2", "general", true);
        judge("q2", null, false);
        shadow("q2", "medium", T + 1_000, Map.of("small", "B", "medium", "B", "general", "A"));
        // q3: general served itself (the hard query); its one answer is judged once, without a tier
        shadow("q3", "general", T + 2_000, Map.of("small", "C", "medium", "D", "general", "E"));
        judge("q3", null, false);
        // q4: sampled but never judged
        shadow("q4", "small", T + 3_000, Map.of("small", "A", "general", "A"));

        QualityCounts c = qualityTotals().get("default|general");
        assertThat(c.samples()).isEqualTo(4);
        assertThat(c.compared()).isEqualTo(4);
        assertThat(c.agreed()).as("q1 and q4 agree, and q3's served answer is the reference's").isEqualTo(3);
        // q1 both right, q2 served wrong / general right, q3 both wrong
        assertThat(c.pairs()).isEqualTo(new PairedCounts(1, 0, 1, 1));

        // a second verdict on q2's served answer replaces the first: now both right
        judge("q2", null, true);
        assertThat(qualityTotals().get("default|general").pairs()).isEqualTo(new PairedCounts(2, 0, 0, 1));
        // a verdict naming the serving tier wins over one without
        judge("q2", "medium", false);
        assertThat(qualityTotals().get("default|general").pairs()).isEqualTo(new PairedCounts(1, 0, 1, 1));
        assertThat(qualityTotals().get("default|general").samples()).isEqualTo(4);
    }

    @Test
    void shouldCountTierFeedbackOnlyInTheQualityEstimateAndServedFeedbackInBothAsBefore() {
        attempt("q1", "small", Outcome.ACCEPTED, false);
        attempt("q1", "general", Outcome.SHADOW, true);
        shadow("q1", "small", T, Map.of("small", "A", "general", "B"));
        judge("q1", null, true);
        judge("q1", "general", false);
        judge("q1", "small", true);

        TierStats small = tierTotals().get("default|small");
        assertThat(small.feedback()).as("only the feedback without a tier").isEqualTo(1);
        assertThat(small.correct()).isEqualTo(1);
        assertThat(tierTotals().get("default|general").feedback()).isZero();
        assertThat(driver.createOutputTopic(config.topics().unmatchedFeedback(), new StringDeserializer(),
                new StringDeserializer()).readRecordsToList()).isEmpty();
        QualityCounts c = qualityTotals().get("default|general");
        assertThat(c.pairs()).isEqualTo(new PairedCounts(0, 1, 0, 0));
        assertThat(c.tiers()).containsEntry("small", new PairedCounts(0, 1, 0, 0))
                .containsEntry("general", new PairedCounts(0, 0, 0, 1));
    }

    @Test
    void shouldMeasureAgainstTheConfiguredReferenceAndKeepAnotherReferencesCountsApart() {
        references.put("default", "medium");
        shadow("q1", "small", T, Map.of("small", "A", "medium", "A", "general", "A"));
        judge("q1", null, true);
        judge("q1", "medium", false);
        references.remove("default");
        shadow("q2", "small", T + 1, Map.of("small", "A", "medium", "A", "general", "A"));
        judge("q2", null, true);
        judge("q2", "general", true);

        assertThat(qualityTotals()).containsOnlyKeys("default|general", "default|medium");
        assertThat(qualityTotals().get("default|medium").pairs()).isEqualTo(new PairedCounts(0, 1, 0, 0));
        assertThat(qualityTotals().get("default|general").pairs()).isEqualTo(new PairedCounts(1, 0, 0, 0));
        List<RouteQuality> routes = QualityReport.routes(qualityTotals(), qualityTotals(),
                Map.of("default", new QualityTarget(0.9, "medium")));
        assertThat(routes).singleElement().satisfies(r -> {
            assertThat(r.reference()).isEqualTo("medium");
            assertThat(r.samples()).isEqualTo(1);
        });
    }

    @Test
    void shouldSumQueriesIntoMinuteAndHourBucketsByTheirShadowRecordsTime() {
        shadow("a", "small", T + 5_000, Map.of("small", "A", "general", "A"));
        shadow("b", "small", T + MINUTE + 5_000, Map.of("small", "A", "general", "A"));
        shadow("c", "small", T + HOUR + 5_000, Map.of("small", "A", "general", "B"));
        // judged hours later: still in the bucket of its shadow record
        feedback.pipeInput("a", "{\"query_id\":\"a\",\"correct\":true,\"tier\":\"general\"}", T + 5 * HOUR);
        feedback.pipeInput("a", "{\"query_id\":\"a\",\"correct\":true}", T + 5 * HOUR);

        Map<Long, Long> minutes = buckets("minute");
        assertThat(minutes).containsExactly(Map.entry(T, 1L), Map.entry(T + MINUTE, 1L),
                Map.entry(T + HOUR, 1L));
        assertThat(buckets("hour")).containsExactly(Map.entry(T, 2L), Map.entry(T + HOUR, 1L));
        List<QualityCounts> minuteBuckets = all(LedgerTopology.qualityStore("minute"));
        assertThat(minuteBuckets.stream().filter(b -> b.bucket() == T).findFirst().orElseThrow().pairs().pairs())
                .isEqualTo(1);
        // the last hour at 11:01:30 holds the minute buckets ending after 10:01:30: b's and c's
        long now = T + HOUR + MINUTE + 30_000;
        assertThat(QualityWindows.sum("hour", minuteBuckets, now).get("default|general").samples()).isEqualTo(2);
        assertThat(QualityWindows.sum("minute", minuteBuckets, now).get("default|general").samples()).isEqualTo(1);
        assertThat(QualityWindows.sum("day", all(LedgerTopology.qualityStore("hour")), T + HOUR + 30_000)
                .get("default|general").samples()).isEqualTo(3);

        // a minute slot is reused 120 minutes later by a newer bucket; the old one leaves the ring
        shadow("d", "small", T + 120 * MINUTE + 1_000, Map.of("small", "A", "general", "A"));
        assertThat(buckets("minute")).containsEntry(T + 120 * MINUTE, 1L).doesNotContainKey(T);
        assertThat(qualityTotals().get("default|general").samples()).isEqualTo(4);
    }

    @Test
    void shouldSendAShadowRecordWithoutItsServedAnswerToTheLedgerDlq() {
        shadows.pipeInput("bad", "{\"id\":\"bad\",\"route\":\"default\",\"tiers\":[\"small\",\"general\"],"
                + "\"served_tier\":null,\"timestamp\":1,\"outcomes\":{}}", T);
        shadows.pipeInput("junk", "{oops", T);
        List<TestRecord<String, byte[]>> dlq = driver.createOutputTopic(config.topics().dlq(),
                new StringDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
        assertThat(dlq).extracting(TestRecord::key).containsExactly("bad", "junk");
        assertThat(DeadLetterHeaders.read(dlq.get(0).headers(), DeadLetterHeaders.REASON))
                .contains("served tier");
        assertThat(qualityTotals()).isEmpty();
    }

    @Test
    void shouldNoLongerShowTheReferenceAsLessAccurateBecauseItServedTheHardQueries() {
        // 70 easy queries small serves rightly; 30 hard ones small gets wrong, escalates, and general gets half of
        for (int i = 0; i < 100; i++) {
            String id = "q" + i;
            boolean hard = i >= 70;
            String served = hard ? "general" : "small";
            boolean generalRight = !hard || i % 2 == 0;
            attempt(id, "small", hard ? Outcome.ESCALATED : Outcome.ACCEPTED, false);
            attempt(id, "general", hard ? Outcome.ACCEPTED : Outcome.SHADOW, !hard);
            shadow(id, served, T + i, Map.of("small", hard ? "wrong" : "right",
                    "general", generalRight ? "right" : "wrong"));
            judge(id, null, hard ? generalRight : true);
            judge(id, "small", !hard);
            judge(id, "general", generalRight);
        }
        Map<String, TierPrice> prices = Map.of("small", new TierPrice.SelfHosted(new BigDecimal("100"),
                BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO),
                "general", new TierPrice.Api(BigDecimal.ONE, BigDecimal.ONE));
        Map<String, QualityTarget> targets = Map.of("default", new QualityTarget(0.95, "general"));
        QualityEvidence evidence = new QualityEvidence(
                QualityReport.routes(qualityTotals(), qualityTotals(), targets),
                QualityReport.tiers(qualityTotals(), targets));
        JsonNode summary = Summary.summary(tierTotals(), Map.of(), prices, "general", evidence);

        Map<String, JsonNode> rows = new TreeMap<>();
        summary.path("tiers").forEach(r -> rows.put(r.path("tier").asText(), r));
        // on the queries each served, general looks worse (50 % against 100 %): labelled so, and not the ranking
        assertThat(rows.get("general").path("accuracy").asDouble()).isEqualTo(0.5);
        assertThat(rows.get("small").path("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(rows.get("general").path("accuracy_basis").asText()).isEqualTo("on the queries it served");
        // on the same 100 judged queries, general is the more accurate: 85 % against 70 %
        assertThat(rows.get("general").path("paired_accuracy").asDouble()).isEqualTo(0.85);
        assertThat(rows.get("small").path("paired_accuracy").asDouble()).isEqualTo(0.70);
        assertThat(rows.get("small").path("paired_reference_accuracy").asDouble()).isEqualTo(0.85);
        JsonNode verdict = Summary.breakeven(tierTotals(), prices, "general", evidence);
        JsonNode smallVerdict = verdict.path("tiers").get(0);
        assertThat(smallVerdict.path("tier").asText()).isEqualTo("small");
        assertThat(smallVerdict.path("accuracy").asDouble()).isEqualTo(0.70);
        assertThat(smallVerdict.path("reference_accuracy").asDouble()).isEqualTo(0.85);
        assertThat(smallVerdict.path("quality_delta").asDouble()).isCloseTo(-0.15,
                org.assertj.core.data.Offset.offset(1e-12));
        assertThat(smallVerdict.path("served_accuracy").asDouble()).isEqualTo(1.0);
        assertThat(smallVerdict.path("quality_judged").asLong()).isEqualTo(100);
        // the cascade served 70 + 15 right, general alone would have 85: ratio 1.0 on 100 pairs, above 0.95
        assertThat(verdict.path("quality").get(0).path("ratio").asDouble()).isEqualTo(1.0);
        assertThat(verdict.path("quality").get(0).path("status").asText()).isEqualTo("OK");
        assertThat(summary.path("verdict").asText()).contains("Route 'default' keeps 100.0 % of general's accuracy");
    }

    private void shadow(String id, String served, long timestamp, Map<String, String> answers) {
        Map<String, ShadowRecord.TierAnswer> outcomes = new LinkedHashMap<>();
        for (String tier : TIERS) {
            if (answers.containsKey(tier)) {
                outcomes.put(tier, new ShadowRecord.TierAnswer(tier + "-model", answers.get(tier), 0.5, 10, 1, 5,
                        new BigDecimal("0.001"), tier.equals(served)));
            }
        }
        shadows.pipeInput(id, new String(SHADOWS.toBytes(new ShadowRecord(id, "default", List.of(), TIERS, served,
                timestamp, outcomes))), timestamp);
    }

    private void judge(String id, String tier, boolean correct) {
        feedback.pipeInput(id, "{\"query_id\":\"" + id + "\",\"correct\":" + correct
                + (tier == null ? "" : ",\"tier\":\"" + tier + "\"") + "}", T + 10 * MINUTE);
    }

    private void attempt(String id, String tier, Outcome outcome, boolean shadow) {
        attempts.pipeInput(id, new String(ATTEMPTS.toBytes(new AttemptEvent(id, "default", tier, "m", outcome, 0.9,
                0.8, 10, 1, 5, new BigDecimal("0.001"), shadow, T, null))), T);
    }

    private Map<String, QualityCounts> qualityTotals() {
        Map<String, QualityCounts> out = new TreeMap<>();
        KeyValueStore<String, QualityCounts> store = driver.getKeyValueStore(LedgerTopology.QUALITY_TOTALS);
        try (var it = store.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    private Map<String, TierStats> tierTotals() {
        Map<String, TierStats> out = new TreeMap<>();
        KeyValueStore<String, TierStats> store = driver.getKeyValueStore(LedgerTopology.TOTALS);
        try (var it = store.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    private List<QualityCounts> all(String storeName) {
        List<QualityCounts> out = new ArrayList<>();
        KeyValueStore<String, QualityCounts> store = driver.getKeyValueStore(storeName);
        try (var it = store.all()) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    /** Samples by bucket start, of the non-empty buckets of a ring. */
    private Map<Long, Long> buckets(String size) {
        Map<Long, Long> out = new TreeMap<>();
        all(LedgerTopology.qualityStore(size)).forEach(b -> {
            if (b.samples() > 0) {
                out.put(b.bucket(), b.samples());
            }
        });
        return out;
    }
}
