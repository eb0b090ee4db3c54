package dev.cascade.live;

import static dev.cascade.live.ThresholdValidator.threshold;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status sub-topology under {@link TopologyTestDriver}: one status record per settings record. */
class StatusProcessorTest {
    private static final StatusProcessor.Names NAMES =
            new StatusProcessor.Names("config", "route", "effective_policy");
    private static final Instant WALL_CLOCK = Instant.parse("2026-01-02T03:04:05Z");

    private final List<Boolean> counted = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> settings;
    private TestOutputTopic<String, byte[]> status;

    @BeforeEach
    void start() {
        Topology topology = new Topology();
        StatusProcessor.addTo(topology, "cascade.config", "cascade.config.status", new ThresholdValidator(), NAMES,
                counted::add);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "status-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, props, WALL_CLOCK);
        settings = driver.createInputTopic("cascade.config", new StringSerializer(), new ByteArraySerializer());
        status = driver.createOutputTopic("cascade.config.status", new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void send(String key, String value) {
        settings.pipeInput(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(TestRecord<String, byte[]> record) {
        try {
            return Json.mapper().readTree(record.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode nextStatus(String expectedKey) {
        TestRecord<String, byte[]> record = status.readRecord();
        assertThat(record.key()).isEqualTo(expectedKey);
        return json(record);
    }

    @Test
    void shouldAcceptValidRecordAndReportItAsTheEffectiveValue() {
        send("default", threshold(0.7));

        JsonNode s = nextStatus("default");
        assertThat(s.path("status").asText()).isEqualTo("ACCEPTED");
        assertThat(s.path("route").asText()).isEqualTo("default");
        assertThat(s.path("effective_policy").path("threshold").asDouble()).isEqualTo(0.7);
        assertThat(s.has("reason")).isFalse();
        assertThat(s.path("config_partition").asInt()).isZero();
        assertThat(s.path("config_offset").asLong()).isZero();
        assertThat(s.path("timestamp").asLong()).isEqualTo(WALL_CLOCK.toEpochMilli());
        assertThat(counted).containsExactly(true);
        assertThat(status.isEmpty()).isTrue();
    }

    @Test
    void shouldRejectInvalidRecordWithItsReasonAndKeepTheLastGoodValue() {
        send("default", threshold(0.7));
        send("default", threshold(1.2));

        nextStatus("default");
        JsonNode s = nextStatus("default");
        assertThat(s.path("status").asText()).isEqualTo("REJECTED");
        assertThat(s.path("reason").asText()).isEqualTo("threshold must be in [0, 1], got 1.2");
        assertThat(s.path("effective_policy").path("threshold").asDouble()).isEqualTo(0.7);
        assertThat(s.path("config_offset").asLong()).isEqualTo(1);
        assertThat(counted).containsExactly(true, false);
    }

    @Test
    void shouldReportNoEffectiveValueWhenTheFirstRecordOfAKeyIsRejected() {
        send("fresh", "not json");

        JsonNode s = nextStatus("fresh");
        assertThat(s.path("status").asText()).isEqualTo("REJECTED");
        assertThat(s.path("reason").asText()).isEqualTo("not JSON");
        assertThat(s.has("effective_policy")).isTrue();
        assertThat(s.path("effective_policy").isNull()).isTrue();
    }

    @Test
    void shouldRemoveTheValueOnTombstone() {
        send("default", threshold(0.7));
        send("default", null);
        send("default", "{}");

        nextStatus("default");
        JsonNode removed = nextStatus("default");
        assertThat(removed.path("status").asText()).isEqualTo("ACCEPTED");
        assertThat(removed.path("reason").asText()).isEqualTo("removed (tombstone)");
        assertThat(removed.path("effective_policy").isNull()).isTrue();
        // nothing to fall back on after the removal
        JsonNode rejected = nextStatus("default");
        assertThat(rejected.path("status").asText()).isEqualTo("REJECTED");
        assertThat(rejected.path("effective_policy").isNull()).isTrue();
        assertThat(counted).containsExactly(true, true, false);
    }

    @Test
    void shouldReportRecordsInOrderWithTheirOffsets() {
        send("a", threshold(0.1));
        send("b", threshold(0.2));
        send("a", threshold(-1));
        send("a", threshold(0.3));

        List<TestRecord<String, byte[]>> records = status.readRecordsToList();

        assertThat(records).extracting(TestRecord::key).containsExactly("a", "b", "a", "a");
        assertThat(records).extracting(r -> json(r).path("config_offset").asLong()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(records).extracting(r -> json(r).path("status").asText())
                .containsExactly("ACCEPTED", "ACCEPTED", "REJECTED", "ACCEPTED");
        assertThat(records).extracting(r -> json(r).path("effective_policy").path("threshold").asDouble())
                .containsExactly(0.1, 0.2, 0.1, 0.3);
    }

    @Test
    void shouldKeepTheEffectiveValueOfEachKeyApart() {
        send("a", threshold(0.1));
        send("b", threshold(2));

        nextStatus("a");
        JsonNode b = nextStatus("b");
        assertThat(b.path("status").asText()).isEqualTo("REJECTED");
        assertThat(b.path("effective_policy").isNull()).isTrue();
    }

    @Test
    void shouldCountButNotReportRecordWithoutAKey() {
        send(null, threshold(0.5));

        assertThat(status.isEmpty()).isTrue();
        assertThat(counted).containsExactly(false);
    }

    @Test
    void shouldStampStatusWithTheWallClockOfTheTask() {
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(90));

        send("default", threshold(0.5));

        TestRecord<String, byte[]> record = status.readRecord();
        long expected = WALL_CLOCK.plusSeconds(90).toEpochMilli();
        assertThat(json(record).path("timestamp").asLong()).isEqualTo(expected);
        assertThat(record.timestamp()).isEqualTo(expected);
    }
}
