package dev.cascade.router.processor;

import dev.cascade.events.DeadLetterHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.core.RouteTable;
import dev.cascade.router.client.ModelReply;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tiers;
import dev.cascade.router.topology.RouterTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The production topology in {@link TopologyTestDriver} with model clients whose futures the test completes by hand:
 * nothing is decided until a punctuation drains a completed call.
 */
class CascadeProcessorTest {
    private final Map<String, List<CompletableFuture<ModelReply>>> calls = new LinkedHashMap<>();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> queries;
    private TestOutputTopic<byte[], byte[]> answers;
    private TestOutputTopic<byte[], byte[]> attempts;
    private Tiers tiers;

    @BeforeEach
    void setUp() {
        Map<String, Object> doc = Map.of(
                "tiers", Map.of(
                        "small", Map.of("base_url", "http://unused/v1", "model", "s", "max_in_flight", 1,
                                "pricing", Map.of("input_usd_per_1m_tokens", "1", "output_usd_per_1m_tokens", "2")),
                        "general", Map.of("base_url", "http://unused/v1", "model", "g", "confidence", "none")),
                "routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "small", "threshold", 0.8),
                        Map.of("name", "general")))));
        RouterConfig config = RouterConfig.from(doc, Map.of(), "test");
        tiers = Tiers.withClients(config.tiers().values(), name -> (ModelRequest request) -> {
            CompletableFuture<ModelReply> f = new CompletableFuture<>();
            calls.computeIfAbsent(name, n -> new ArrayList<>()).add(f);
            return f;
        }, null);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "processor-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RouterTopology.build(config, RouteTable.of(config.routes()), tiers,
                new RouterMetrics(new SimpleMeterRegistry(), tiers, config.routes().keySet())), props);
        queries = driver.createInputTopic("cascade.queries", new ByteArraySerializer(), new ByteArraySerializer());
        answers = driver.createOutputTopic("cascade.answers", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        attempts = driver.createOutputTopic("cascade.attempts", new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void send(String id) {
        queries.pipeInput(id.getBytes(StandardCharsets.UTF_8),
                ("{\"id\":\"" + id + "\",\"prompt\":\"q\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(byte[] bytes) throws IOException {
        return Json.mapper().readTree(bytes);
    }

    @Test
    void shouldDecideOnlyOnTheStreamThreadAfterTheCallCompletes() throws IOException {
        send("q1");
        assertThat(calls.get("small")).hasSize(1);
        driver.advanceWallClockTime(Duration.ofMillis(50));
        assertThat(answers.isEmpty()).as("no answer while the call is in flight").isTrue();

        calls.get("small").get(0).complete(new ModelReply("low", 10, 5, 0.3));
        assertThat(answers.isEmpty()).as("a completed call waits for the punctuation").isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(50));
        assertThat(calls.get("general")).as("escalated to the terminal tier").hasSize(1);
        calls.get("general").get(0).complete(new ModelReply("final", 10, 5, null));
        driver.advanceWallClockTime(Duration.ofMillis(50));

        JsonNode answer = json(answers.readValue());
        assertThat(answer.path("tier").asText()).isEqualTo("general");
        assertThat(answer.path("content").asText()).isEqualTo("final");
        // small: 10 * 1 + 5 * 2 = 20 micro-dollars; general is free
        assertThat(answer.path("cost_usd").decimalValue()).isEqualByComparingTo("0.00002");
        assertThat(attempts.readValuesToList()).extracting(v -> json(v).path("outcome").asText())
                .containsExactly("ESCALATED", "ACCEPTED");
    }

    @Test
    void shouldQueueQueriesWhenBulkheadIsFullAndDispatchThemWhenASlotFrees() throws IOException {
        send("q1");
        send("q2");
        assertThat(calls.get("small")).as("max_in_flight 1: the second query waits").hasSize(1);
        calls.get("small").get(0).complete(new ModelReply("a1", 1, 1, 0.95));
        driver.advanceWallClockTime(Duration.ofMillis(50));
        assertThat(calls.get("small")).hasSize(2);
        calls.get("small").get(1).complete(new ModelReply("a2", 1, 1, 0.95));
        driver.advanceWallClockTime(Duration.ofMillis(50));
        assertThat(answers.readValuesToList()).extracting(v -> json(v).path("id").asText())
                .containsExactly("q1", "q2");
    }

    @Test
    void shouldFallThroughOnErrorAndRecordZeroCost() throws IOException {
        send("q1");
        calls.get("small").get(0).completeExceptionally(new RuntimeException("connection refused"));
        driver.advanceWallClockTime(Duration.ofMillis(50));
        calls.get("general").get(0).complete(new ModelReply("ok", 1, 1, null));
        driver.advanceWallClockTime(Duration.ofMillis(50));
        List<JsonNode> recorded = new ArrayList<>();
        for (byte[] v : attempts.readValuesToList()) {
            recorded.add(json(v));
        }
        assertThat(recorded.get(0).path("outcome").asText()).isEqualTo("ERROR");
        assertThat(recorded.get(0).path("error").asText()).contains("connection refused");
        assertThat(recorded.get(0).path("cost_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(json(answers.readValue()).path("status").asText()).isEqualTo("ANSWERED");
    }

    @Test
    void shouldRefuseASecondQueryWithTheIdOfOneInFlight() {
        send("dup");
        send("dup");
        TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic("cascade.dlq", new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        var record = dlq.readRecord();
        assertThat(new String(record.headers().lastHeader(DeadLetterHeaders.REASON).value(),
                StandardCharsets.UTF_8)).isEqualTo("duplicate_in_flight");
        assertThat(calls.get("small")).hasSize(1);
    }

    @Test
    void shouldFailAQueryWhoseAnswerCannotFitTheAnswersTopicAndKeepRouting() throws IOException {
        send("huge");
        calls.get("small").get(0).complete(new ModelReply("x".repeat(1_200_000), 10, 5, 0.95));
        driver.advanceWallClockTime(Duration.ofMillis(50));
        var record = answers.readRecord();
        assertThat(record.value().length).as("the record fits max.request.size").isLessThan(1024 * 1024);
        JsonNode failed = json(record.value());
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");
        assertThat(failed.path("content").isMissingNode()).isTrue();
        assertThat(failed.path("tier").isMissingNode()).as("a FAILED answer names no serving tier").isTrue();
        assertThat(failed.path("error").asText()).contains("tier 'small'").contains("limit");
        assertThat(failed.path("cost_usd").decimalValue()).as("what the call cost is still reported")
                .isEqualByComparingTo("0.00002");

        send("next");
        calls.get("small").get(1).complete(new ModelReply("fine", 1, 1, 0.95));
        driver.advanceWallClockTime(Duration.ofMillis(50));
        assertThat(json(answers.readValue()).path("status").asText()).isEqualTo("ANSWERED");
    }

    @Test
    void shouldDeadLetterOversizedHeadersCutToTheRecordLimitWithAHashOfTheOriginal() throws Exception {
        byte[] value = ("{\"id\":\"h\",\"prompt\":\"" + "p".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        for (int i = 0; i < 9; i++) {
            headers.add("h" + i, new byte[100_000]);
        }
        queries.pipeInput(new org.apache.kafka.streams.test.TestRecord<>("h".getBytes(StandardCharsets.UTF_8), value,
                headers));
        TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic("cascade.dlq", new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        var record = dlq.readRecord();
        assertThat(header(record, DeadLetterHeaders.REASON)).isEqualTo("too_large");
        assertThat(header(record, DeadLetterHeaders.DETAIL)).startsWith("headers are ");
        assertThat(header(record, DeadLetterHeaders.ORIGINAL_BYTES)).isEqualTo(Integer.toString(value.length));
        assertThat(header(record, DeadLetterHeaders.ORIGINAL_SHA256)).isEqualTo(java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(value)));
        assertThat(Outputs.size(record.key(), record.value(), record.headers())).isLessThan(1024 * 1024);
        assertThat(calls.get("small")).as("nothing was called").isNull();
    }

    private static String header(org.apache.kafka.streams.test.TestRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
