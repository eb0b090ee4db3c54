package dev.cascade.router.processor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.core.RouteTable;
import dev.cascade.events.DeadLetterHeaders;
import dev.cascade.events.Json;
import dev.cascade.router.client.ModelReply;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.MovableClock;
import dev.cascade.router.tier.Tiers;
import dev.cascade.router.topology.RouterTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The production topology with a reply-topic lookup the test answers by hand: a query naming a {@code reply_to}
 * topic reaches a tier only once the topic is known to exist; a missing one is dead-lettered, never written to.
 */
class ReplyGateTest {
    private static final String REPLY = "cascade.answers.app";

    private final List<CompletableFuture<ModelReply>> calls = new ArrayList<>();
    private final List<CompletableFuture<Boolean>> lookups = new ArrayList<>();
    private final MovableClock clock = new MovableClock(Clock.systemUTC());
    private final ReplyTopics replyTopics = new ReplyTopics(topic -> {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        lookups.add(f);
        return f;
    }, clock);
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> queries;
    private TestOutputTopic<byte[], byte[]> answers;
    private TestOutputTopic<byte[], byte[]> replies;
    private TestOutputTopic<byte[], byte[]> dlq;

    @BeforeEach
    void setUp() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tiers", Map.of("general", Map.of("base_url", "http://unused/v1", "model", "g",
                "confidence", "none")));
        doc.put("routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "general")))));
        RouterConfig config = RouterConfig.from(doc, Map.of(), "test");
        Tiers tiers = Tiers.withClients(config.tiers().values(), name -> (ModelRequest request) -> {
            CompletableFuture<ModelReply> f = new CompletableFuture<>();
            calls.add(f);
            return f;
        }, null);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "reply-gate-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RouterTopology.build(config, RouteTable.of(config.routes()), tiers,
                new RouterMetrics(new SimpleMeterRegistry(), tiers, config.routes().keySet()), replyTopics), props);
        queries = driver.createInputTopic("cascade.queries", new ByteArraySerializer(), new ByteArraySerializer());
        answers = output("cascade.answers");
        replies = output(REPLY);
        dlq = output("cascade.dlq");
    }

    private TestOutputTopic<byte[], byte[]> output(String topic) {
        return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private String send(String id) {
        String value = "{\"id\":\"" + id + "\",\"prompt\":\"q\",\"reply_to\":\"" + REPLY + "\"}";
        queries.pipeInput(id.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        return value;
    }

    private void tick() {
        driver.advanceWallClockTime(Duration.ofMillis(20));
    }

    private static String header(TestRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private static JsonNode json(byte[] bytes) throws IOException {
        return Json.mapper().readTree(bytes);
    }

    @Test
    void shouldCallNoTierUntilTheReplyTopicIsKnownToExist() throws IOException {
        send("q1");
        tick();
        assertThat(calls).as("waiting for the lookup").isEmpty();
        assertThat(lookups).hasSize(1);
        lookups.get(0).complete(true);
        tick();
        assertThat(calls).hasSize(1);
        calls.get(0).complete(new ModelReply("fine", 1, 1, null));
        tick();
        assertThat(json(replies.readValue()).path("id").asText()).isEqualTo("q1");
        assertThat(answers.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterQueriesWhoseReplyTopicIsMissingWithTheirOrigin() {
        String first = send("q1");
        lookups.get(0).complete(false);
        tick();
        TestRecord<byte[], byte[]> letter = dlq.readRecord();
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo(first);
        assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("reply_to_missing");
        assertThat(header(letter, DeadLetterHeaders.DETAIL)).contains(REPLY);
        assertThat(header(letter, DeadLetterHeaders.TOPIC)).as("origin kept from admission")
                .isEqualTo("cascade.queries");
        assertThat(header(letter, DeadLetterHeaders.OFFSET)).isEqualTo("0");

        String second = send("q2");
        assertThat(new String(dlq.readRecord().value(), StandardCharsets.UTF_8)).as("known missing: at once")
                .isEqualTo(second);
        assertThat(lookups).hasSize(1);
        assertThat(calls).isEmpty();
        assertThat(replies.isEmpty()).isTrue();
    }

    @Test
    void shouldAnswerOnTheAnswersTopicWhenTheReplyTopicWasDeletedMeanwhile() throws IOException {
        send("q1");
        lookups.get(0).complete(true);
        tick();
        assertThat(calls).hasSize(1);
        clock.advance(ReplyTopics.EXISTS_FOR.plusSeconds(1));
        replyTopics.status(REPLY);
        lookups.get(1).complete(false);
        calls.get(0).complete(new ModelReply("fine", 1, 1, null));
        tick();
        JsonNode answer = json(answers.readValue());
        assertThat(answer.path("status").asText()).isEqualTo("ANSWERED");
        assertThat(answer.path("content").asText()).isEqualTo("fine");
        assertThat(answer.path("error").asText()).contains(REPLY).contains("no longer exists");
        assertThat(replies.isEmpty()).isTrue();
    }

    @Test
    void shouldNotLookUpTheDefaultAnswersTopic() {
        queries.pipeInput("q".getBytes(StandardCharsets.UTF_8), "{\"id\":\"q\",\"prompt\":\"q\"}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(calls).hasSize(1);
        assertThat(lookups).isEmpty();
    }
}
