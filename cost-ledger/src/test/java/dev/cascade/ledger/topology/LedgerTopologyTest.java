package dev.cascade.ledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.events.AnswerEvent;
import dev.cascade.events.AttemptEvent;
import dev.cascade.events.DeadLetterHeaders;
import dev.cascade.events.JsonSerde;
import dev.cascade.events.Outcome;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.metrics.LedgerMetrics;
import dev.cascade.ledger.model.TierStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production topology ({@link LedgerTopology#build}) under {@link TopologyTestDriver}, with exact figures. */
class LedgerTopologyTest {
    /** 2023-11-14T00:00:00Z: a day, hour and minute boundary. */
    private static final long DAY = 1_699_920_000_000L;
    private static final long HOUR = 3_600_000L;
    private static final long MINUTE = 60_000L;
    private static final long T = DAY + 10 * HOUR;
    private static final JsonSerde<AttemptEvent> ATTEMPTS = JsonSerde.of(AttemptEvent.class);

    @TempDir
    Path dir;
    private LedgerConfig config;
    private SimpleMeterRegistry registry;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> attempts;
    private TestInputTopic<String, String> feedback;
    private TestInputTopic<String, String> answers;

    @BeforeEach
    void startDriver() throws Exception {
        Path file = dir.resolve("ledger.yaml");
        Files.writeString(file, String.join("\n",
                "reference_tier: general",
                "pricing:",
                "  small: {kind: self_hosted, monthly_usd: 900}",
                "  general: {kind: api, input_usd_per_1m_tokens: 2.50, output_usd_per_1m_tokens: 10.00}",
                ""));
        config = LedgerConfig.load(file, Map.of());
        registry = new SimpleMeterRegistry();
        LedgerMetrics metrics = new LedgerMetrics(registry);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ledger-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        driver = new TopologyTestDriver(LedgerTopology.build(config, metrics), props, Instant.ofEpochMilli(T));
        attempts = input(config.topics().attempts());
        feedback = input(config.topics().feedback());
        answers = input(config.topics().answers());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    @Test
    void shouldSumExactCostTokensAndCallsByOutcomeIntoTheTotals() {
        attempt("q1", "small", Outcome.ESCALATED, 100, 10, 30, "0.0000123456", false, T);
        attempt("q1", "general", Outcome.ACCEPTED, 100, 20, 300, "0.00045", false, T + 1_000);
        attempt("q2", "small", Outcome.ACCEPTED, 200, 30, 40, "0.0000200001", false, T + 2_000);
        attempt("q2", "general", Outcome.SHADOW, 200, 30, 400, "0.0008", true, T + 3_000);
        attempt("q3", "small", Outcome.SHORT_CIRCUITED, 0, 0, 0, "0", false, T + 4_000);

        TierStats small = totals().get("default|small");
        assertThat(small.calls()).containsExactly(Map.entry("ACCEPTED", 1L), Map.entry("ESCALATED", 1L),
                Map.entry("SHORT_CIRCUITED", 1L));
        assertThat(small.callsMade()).isEqualTo(2);
        assertThat(small.promptTokens()).isEqualTo(300);
        assertThat(small.completionTokens()).isEqualTo(40);
        assertThat(small.costUsd()).isEqualTo(new BigDecimal("0.0000323457"));
        assertThat(small.shadowCostUsd()).isEqualByComparingTo("0");
        assertThat(small.answers()).isEqualTo(1);
        assertThat(small.answerPromptTokens()).isEqualTo(200);
        assertThat(small.answerCompletionTokens()).isEqualTo(30);
        assertThat(small.latencyPercentileMs(50)).isEqualTo(30L);
        assertThat(small.latencyPercentileMs(100)).isEqualTo(40L);
        assertThat(small.firstTs()).isEqualTo(T);
        assertThat(small.lastTs()).isEqualTo(T + 4_000);

        TierStats general = totals().get("default|general");
        assertThat(general.calls()).containsExactly(Map.entry("ACCEPTED", 1L), Map.entry("SHADOW", 1L));
        assertThat(general.costUsd()).isEqualTo(new BigDecimal("0.00045"));
        assertThat(general.shadowCostUsd()).isEqualTo(new BigDecimal("0.0008"));
        assertThat(general.answers()).isEqualTo(1);
        assertThat(general.promptTokens()).isEqualTo(300);
        assertThat(totals()).containsOnlyKeys("default|general", "default|small");
    }

    @Test
    void shouldAssignMinuteHourAndDayWindowsByTheAttemptsOwnTimeButNeverLaterThanItsRecord() {
        attempt("a", "small", Outcome.ACCEPTED, 1, 1, 10, "0.01", false, T + 5_000);
        attempt("b", "small", Outcome.ACCEPTED, 1, 1, 10, "0.02", false, T + 50_000);
        attempt("c", "small", Outcome.ACCEPTED, 1, 1, 10, "0.04", false, T + MINUTE + 5_000);
        attempt("d", "small", Outcome.ACCEPTED, 1, 1, 10, "0.08", false, T + HOUR + 1_000);
        // claims to have finished at 10:01:30 but was written at 10:00:06: counted at its record's time
        attempts.pipeInput("e", json("e", "small", Outcome.ACCEPTED, 1, 1, 10, "0.16", false, T + MINUTE + 30_000),
                T + 6_000);
        // finished at 10:00:40, written at 10:01:10: it belongs to the 10:00 minute
        attempts.pipeInput("f", json("f", "small", Outcome.ACCEPTED, 1, 1, 10, "0.32", false, T + 40_000),
                T + MINUTE + 10_000);
        // a timestamp field near the end of time neither overflows a window nor runs stream time ahead
        attempts.pipeInput("g", json("g", "small", Outcome.ACCEPTED, 1, 1, 10, "0", false, Long.MAX_VALUE),
                T + HOUR + 1_000);

        assertThat(window("minute")).containsExactly(
                Map.entry(T, "4 0.51"), Map.entry(T + MINUTE, "1 0.04"), Map.entry(T + HOUR, "2 0.08"));
        assertThat(window("hour")).containsExactly(Map.entry(T, "5 0.55"), Map.entry(T + HOUR, "2 0.08"));
        assertThat(window("day")).containsExactly(Map.entry(DAY, "7 0.63"));
        assertThat(totals().get("default|small").lastTs()).isEqualTo(T + HOUR + 1_000);
    }

    @Test
    void shouldCountFeedbackTowardTheTierThatAnsweredAtTheFeedbacksRecordTime() {
        attempt("q1", "small", Outcome.ESCALATED, 100, 10, 30, "0.0001", false, T);
        attempt("q1", "general", Outcome.ACCEPTED, 100, 20, 300, "0.00045", false, T + 1_000);
        attempt("q2", "small", Outcome.ACCEPTED, 200, 30, 40, "0.0002", false, T + 2_000);
        attempt("q2", "general", Outcome.SHADOW, 200, 30, 400, "0.0008", true, T + 3_000);
        long late = T + 3 * HOUR;
        feedback.pipeInput("q1", "{\"query_id\":\"q1\",\"correct\":true}", late);
        // keyed by anything: the query id in the value decides
        feedback.pipeInput("another-key", "{\"query_id\":\"q2\",\"score\":0.75}", late + 1);

        TierStats general = totals().get("default|general");
        assertThat(general.feedback()).isEqualTo(1);
        assertThat(general.correct()).isEqualTo(1);
        assertThat(general.scored()).isZero();
        assertThat(general.accuracy()).isEqualTo(1.0);
        assertThat(general.lastTs()).isEqualTo(late);
        TierStats small = totals().get("default|small");
        assertThat(small.feedback()).isEqualTo(1);
        assertThat(small.scored()).isEqualTo(1);
        assertThat(small.scoreMicros()).isEqualTo(750_000);
        assertThat(small.meanScore()).isEqualTo(0.75);
        assertThat(small.lastTs()).isEqualTo(late + 1);
        assertThat(window("hour")).containsEntry(T + 3 * HOUR, "0 0");
        WindowStore<String, TierStats> hours = driver.getWindowStore(LedgerTopology.windowStore("hour"));
        TierStats lateHour = hours.fetch("default|small", T + 3 * HOUR);
        assertThat(lateHour.feedback()).isEqualTo(1);
        assertThat(lateHour.firstTs()).isEqualTo(late + 1);
        assertThat(output(config.topics().unmatchedFeedback()).readRecordsToList()).isEmpty();
        assertThat(registry.counter("ledger.feedback.unmatched").count()).isZero();
    }

    @Test
    void shouldSendFeedbackForAnUnknownQueryToTheUnmatchedTopicAndCountIt() {
        attempt("q1", "small", Outcome.ESCALATED, 100, 10, 30, "0.0001", false, T);
        feedback.pipeInput("ghost", "{\"query_id\":\"ghost\",\"correct\":false}", T + 10);
        // escalated is not answered: nothing to join to either
        feedback.pipeInput("q1", "{\"query_id\":\"q1\",\"score\":0.2}", T + 20);

        List<TestRecord<String, String>> unmatched = output(config.topics().unmatchedFeedback()).readRecordsToList();
        assertThat(unmatched).extracting(TestRecord::key, TestRecord::value, TestRecord::timestamp).containsExactly(
                org.assertj.core.groups.Tuple.tuple("ghost", "{\"query_id\":\"ghost\",\"correct\":false}", T + 10),
                org.assertj.core.groups.Tuple.tuple("q1", "{\"query_id\":\"q1\",\"score\":0.2}", T + 20));
        assertThat(registry.counter("ledger.feedback.unmatched").count()).isEqualTo(2.0);
        assertThat(totals().get("default|small").feedback()).isZero();
    }

    @Test
    void shouldSendUnreadableRecordsToTheLedgerDlqWithReasonAndSourceHeaders() {
        attempts.pipeInput("junk", "{not json", T);
        attempts.pipeInput("no-tier", "{\"query_id\":\"x\",\"route\":\"default\",\"outcome\":\"ACCEPTED\","
                + "\"cost_usd\":1}", T);
        attempts.pipeInput("empty", (String) null, T);
        attempts.pipeInput("json-null", "null", T);
        attempts.pipeInput("pipe", json("pipe", "a|b", Outcome.ACCEPTED, 1, 1, 1, "0", false, T), T);
        attempts.pipeInput("negative", json("negative", "small", Outcome.ACCEPTED, -5, 1, 1, "0", false, T), T);
        feedback.pipeInput("both", "{\"query_id\":\"x\"}", T);
        feedback.pipeInput("score", "{\"query_id\":\"x\",\"score\":1.5}", T);
        answers.pipeInput("q10", "{\"id\":\"q10\",\"status\":\"FAILED\"}", T);

        List<TestRecord<String, byte[]>> dlq = driver.createOutputTopic(config.topics().dlq(),
                new StringDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
        assertThat(dlq).extracting(TestRecord::key).containsExactly("junk", "no-tier", "empty", "json-null", "pipe",
                "negative", "both", "score", "q10");
        List<String> reasons = dlq.stream().map(r -> DeadLetterHeaders.read(r.headers(), DeadLetterHeaders.REASON))
                .toList();
        assertThat(reasons.get(0)).startsWith("not a valid AttemptEvent: Unexpected character ('n'");
        assertThat(reasons.subList(1, reasons.size())).containsExactly(
                "attempt without route, tier, outcome or cost_usd", "empty value", "empty value",
                        "attempt tier cannot contain '|': a|b", "attempt token counts must be >= 0, got -5 and 1",
                        "feedback needs exactly one of correct (true/false) or score (0..1)",
                        "score must be in [0, 1], got 1.5", "answer without route or status");
        assertThat(dlq).extracting(r -> DeadLetterHeaders.read(r.headers(), DeadLetterHeaders.TOPIC) + "/"
                + DeadLetterHeaders.read(r.headers(), DeadLetterHeaders.PARTITION) + "/"
                + DeadLetterHeaders.read(r.headers(), DeadLetterHeaders.OFFSET)).containsExactly(
                "cascade.attempts/0/0", "cascade.attempts/0/1", "cascade.attempts/0/2", "cascade.attempts/0/3",
                "cascade.attempts/0/4", "cascade.attempts/0/5", "cascade.feedback/0/0", "cascade.feedback/0/1",
                "cascade.answers/0/0");
        // the bytes go on as they came
        assertThat(new String(dlq.get(0).value())).isEqualTo("{not json");
        assertThat(dlq.get(2).value()).isNull();
        assertThat(new String(dlq.get(8).value())).isEqualTo("{\"id\":\"q10\",\"status\":\"FAILED\"}");
        assertThat(registry.counter("ledger.dlq", "source", "attempts").count()).isEqualTo(6.0);
        assertThat(registry.counter("ledger.dlq", "source", "feedback").count()).isEqualTo(2.0);
        assertThat(registry.counter("ledger.dlq", "source", "answers").count()).isEqualTo(1.0);
        assertThat(totals()).isEmpty();
    }

    @Test
    void shouldRefuseAmountsOutsideTheMoneyBoundsBeforeAnyArithmetic() {
        attempts.pipeInput("huge", raw("huge", "1e999999999"), T);
        attempts.pipeInput("tiny", raw("tiny", "1e-999999999"), T);
        attempts.pipeInput("negative-cost", raw("negative-cost", "-0.5"), T);
        attempts.pipeInput("fine", raw("fine", "0.000000000000000001"), T);

        List<TestRecord<String, byte[]>> dlq = driver.createOutputTopic(config.topics().dlq(),
                new StringDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
        assertThat(dlq).extracting(TestRecord::key).containsExactly("huge", "tiny", "negative-cost");
        assertThat(dlq).extracting(r -> DeadLetterHeaders.read(r.headers(), DeadLetterHeaders.REASON))
                .containsExactly("attempt cost_usd must be below 10^12, got 1E+999999999",
                        "attempt cost_usd has more than 18 decimal places: 1E-999999999",
                        "attempt cost_usd must be >= 0, got -0.5");
        assertThat(totals()).hasSize(1);
        assertThat(totals().values().iterator().next().costUsd()).isEqualByComparingTo("0.000000000000000001");
    }

    private static String raw(String id, String cost) {
        return "{\"query_id\":\"" + id + "\",\"route\":\"default\",\"tier\":\"small\",\"model\":\"m\","
                + "\"outcome\":\"ACCEPTED\",\"prompt_tokens\":1,\"completion_tokens\":1,\"latency_ms\":1,"
                + "\"cost_usd\":" + cost + ",\"shadow\":false,\"timestamp\":" + T + "}";
    }

    @Test
    void shouldCutAnUnreadableRecordTooLargeForTheDlqAndKeepItsLengthAndHash() throws Exception {
        byte[] junk = new byte[1_100_000];
        java.util.Arrays.fill(junk, (byte) 'x');
        feedback.pipeInput("big", new String(junk, java.nio.charset.StandardCharsets.US_ASCII), T);

        TestRecord<String, byte[]> dead = driver.createOutputTopic(config.topics().dlq(), new StringDeserializer(),
                new ByteArrayDeserializer()).readRecord();
        assertThat(DeadLetterHeaders.size(dead.key().getBytes(), dead.value(), dead.headers()))
                .isLessThanOrEqualTo(1024 * 1024 - 512);
        assertThat(DeadLetterHeaders.read(dead.headers(), DeadLetterHeaders.ORIGINAL_BYTES)).isEqualTo("1100000");
        assertThat(DeadLetterHeaders.read(dead.headers(), DeadLetterHeaders.ORIGINAL_SHA256)).isEqualTo(
                java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(junk)));
        assertThat(dead.value()).startsWith(new byte[]{'x', 'x', 'x'});
        assertThat(DeadLetterHeaders.read(dead.headers(), DeadLetterHeaders.REASON)).startsWith("not a valid");
    }

    @Test
    void shouldCountFailedAnswersByRoute() {
        answers.pipeInput("q1", answer("q1", "default", AnswerEvent.Status.FAILED), T);
        answers.pipeInput("q2", answer("q2", "default", AnswerEvent.Status.FAILED), T + 1);
        answers.pipeInput("q3", answer("q3", "support", AnswerEvent.Status.FAILED), T + 2);
        answers.pipeInput("q4", answer("q4", "default", AnswerEvent.Status.ANSWERED), T + 3);

        Map<String, Long> failed = new TreeMap<>();
        KeyValueStore<String, Long> store = driver.getKeyValueStore(LedgerTopology.FAILED);
        try (var it = store.all()) {
            it.forEachRemaining(kv -> failed.put(kv.key, kv.value));
        }
        assertThat(failed).containsExactly(Map.entry("default", 2L), Map.entry("support", 1L));
    }

    private TestInputTopic<String, String> input(String topic) {
        return driver.createInputTopic(topic, new StringSerializer(), new StringSerializer());
    }

    private TestOutputTopic<String, String> output(String topic) {
        return driver.createOutputTopic(topic, new StringDeserializer(), new StringDeserializer());
    }

    private void attempt(String id, String tier, Outcome outcome, long in, long out, long latencyMs, String cost,
                         boolean shadow, long timestamp) {
        attempts.pipeInput(id, json(id, tier, outcome, in, out, latencyMs, cost, shadow, timestamp), timestamp);
    }

    private static String json(String id, String tier, Outcome outcome, long in, long out, long latencyMs,
                               String cost, boolean shadow, long timestamp) {
        return new String(ATTEMPTS.toBytes(new AttemptEvent(id, "default", tier, "m", outcome, 0.9, 0.8, in, out,
                latencyMs, new BigDecimal(cost), shadow, timestamp, null)));
    }

    private static String answer(String id, String route, AnswerEvent.Status status) {
        return new String(JsonSerde.of(AnswerEvent.class).toBytes(new AnswerEvent(id, route, status,
                status == AnswerEvent.Status.FAILED ? null : "small", "m", "hi", 0.9, BigDecimal.ZERO, 5, List.of(),
                null)));
    }

    private Map<String, TierStats> totals() {
        Map<String, TierStats> out = new TreeMap<>();
        KeyValueStore<String, TierStats> store = driver.getKeyValueStore(LedgerTopology.TOTALS);
        try (var it = store.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    /** "default|small" windows of one size by start: "calls cost" (cost without trailing zeros). */
    private Map<Long, String> window(String size) {
        Map<Long, String> out = new TreeMap<>();
        WindowStore<String, TierStats> store = driver.getWindowStore(LedgerTopology.windowStore(size));
        try (var it = store.all()) {
            it.forEachRemaining(kv -> {
                if (kv.key.key().equals("default|small")) {
                    out.put(kv.key.window().start(), kv.value.callsRecorded() + " "
                            + kv.value.costUsd().stripTrailingZeros().toPlainString());
                }
            });
        }
        return out;
    }
}
