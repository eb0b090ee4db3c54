package dev.cascade.router.processor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.core.RouteTable;
import dev.cascade.core.TierStep;
import dev.cascade.events.ChatMessage;
import dev.cascade.events.DeadLetterHeaders;
import dev.cascade.events.Json;
import dev.cascade.router.client.ModelReply;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tiers;
import dev.cascade.router.topology.RouterTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Teams sharing one router cannot block or answer each other's queries: in-flight ids are kept per reply topic, and
 * a reply topic a tenant claims is reachable only from that tenant's own queries topic (which Kafka ACLs let only
 * that team write).
 */
class TenantIsolationTest {
    private final List<CompletableFuture<ModelReply>> calls = new ArrayList<>();
    private TopologyTestDriver driver;

    private void start(Map<String, Object> router) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tiers", Map.of("general", Map.of("base_url", "http://unused/v1", "model", "g",
                "confidence", "none")));
        doc.put("routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "general")))));
        doc.put("router", router);
        RouterConfig config = RouterConfig.from(doc, Map.of(), "test");
        Tiers tiers = Tiers.withClients(config.tiers().values(), name -> (ModelRequest request) -> {
            CompletableFuture<ModelReply> f = new CompletableFuture<>();
            calls.add(f);
            return f;
        }, null);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tenant-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RouterTopology.build(config, RouteTable.of(config.routes()), tiers,
                new RouterMetrics(new SimpleMeterRegistry(), tiers, config.routes().keySet())), props);
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(String topic, String id, String replyTo) {
        String value = "{\"id\":\"" + id + "\",\"prompt\":\"q\"" + (replyTo == null ? "" : ",\"reply_to\":\""
                + replyTo + "\"") + "}";
        driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput(id.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    private List<TestRecord<byte[], byte[]>> read(String topic) {
        TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(topic, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        return out.readRecordsToList();
    }

    private void answerAll() {
        calls.forEach(c -> c.complete(new ModelReply("done", 1, 1, null)));
        driver.advanceWallClockTime(Duration.ofMillis(20));
    }

    private static JsonNode json(TestRecord<byte[], byte[]> r) {
        try {
            return Json.mapper().readTree(r.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String header(TestRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldNotLetOneTeamsQueryBlockTheSameIdOfAnotherTeam() {
        start(Map.of());
        send("cascade.queries", "order-17", "cascade.answers.team-a");
        send("cascade.queries", "order-17", "cascade.answers.team-b");
        send("cascade.queries", "order-17", null);
        assertThat(read("cascade.dlq")).as("nothing refused").isEmpty();
        assertThat(calls).hasSize(3);
        answerAll();
        assertThat(read("cascade.answers.team-a")).extracting(r -> json(r).path("id").asText())
                .containsExactly("order-17");
        assertThat(read("cascade.answers.team-b")).extracting(r -> json(r).path("id").asText())
                .containsExactly("order-17");
        assertThat(read("cascade.answers")).extracting(r -> json(r).path("id").asText())
                .containsExactly("order-17");

        send("cascade.queries", "order-18", "cascade.answers.team-a");
        send("cascade.queries", "order-18", "cascade.answers.team-a");
        assertThat(read("cascade.dlq")).as("a repeat within one reply topic is still refused")
                .extracting(r -> header(r, DeadLetterHeaders.REASON)).containsExactly("duplicate_in_flight");
    }

    @Test
    void shouldAnswerOnceAnEntryStoredUnderItsBareIdByAnEarlierVersion() {
        start(Map.of());
        KeyValueStore<String, InFlight> store = driver.getKeyValueStore(CascadeProcessor.STORE);
        store.put("legacy-1", new InFlight("legacy-1", "default", List.of(new TierStep("general", null)),
                new ModelRequest(List.of(new ChatMessage("user", "q")), null, null), "cascade.answers", List.of(),
                0L, 0, 0, List.of(), false, List.of(), null));
        driver.advanceWallClockTime(Duration.ofMillis(20));
        assertThat(calls).as("dispatched again after the restart").hasSize(1);
        answerAll();
        assertThat(read("cascade.answers")).extracting(r -> json(r).path("id").asText()).containsExactly("legacy-1");
        try (var all = store.all()) {
            assertThat(all.hasNext()).as("nothing left behind to answer twice").isFalse();
        }
    }

    @Test
    void shouldLetOnlyATenantsOwnQueriesTopicAnswerOnItsReplyTopics() {
        start(Map.of("tenants", Map.of(
                "team-a", Map.of("queries", "cascade.queries.team-a", "reply_to_allow",
                        List.of("cascade.answers.team-a", "cascade.answers.team-a.*")),
                "team-b", Map.of("queries", "cascade.queries.team-b", "reply_to_allow",
                        List.of("cascade.answers.team-b")))));
        send("cascade.queries.team-a", "order-1", "cascade.answers.team-a");
        send("cascade.queries.team-b", "order-1", "cascade.answers.team-a");
        send("cascade.queries", "order-1", "cascade.answers.team-a.inbox");
        send("cascade.queries.team-b", "order-2", null);
        send("cascade.queries.team-b", "order-1", "cascade.answers.team-b");
        send("cascade.queries", "order-1", "cascade.answers.other");
        List<TestRecord<byte[], byte[]>> refused = read("cascade.dlq");
        assertThat(refused).extracting(r -> header(r, DeadLetterHeaders.REASON))
                .containsExactly("reply_to_not_allowed", "reply_to_not_allowed", "reply_to_not_allowed");
        assertThat(refused).extracting(r -> header(r, DeadLetterHeaders.DETAIL)).satisfiesExactly(
                d -> assertThat(d).contains("team-b"),
                d -> assertThat(d).contains("belongs to tenant 'team-a'").contains("cascade.queries.team-a"),
                d -> assertThat(d).contains("must name a reply_to"));
        answerAll();
        assertThat(read("cascade.answers.team-a")).hasSize(1);
        assertThat(read("cascade.answers.team-b")).hasSize(1);
        assertThat(read("cascade.answers.other")).hasSize(1);
    }

    @Test
    void shouldRefuseATenantNameThatDoesNotMatchTheQueriesTopic() {
        start(Map.of("tenants", Map.of("team-a", Map.of("queries", "cascade.queries.team-a",
                "reply_to_allow", List.of("cascade.answers.team-a")))));
        for (String topic : List.of("cascade.queries.team-a", "cascade.queries")) {
            boolean shared = topic.equals("cascade.queries");
            driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer()).pipeInput(
                    "t".getBytes(StandardCharsets.UTF_8), ("{\"id\":\"t\",\"prompt\":\"q\",\"tenant\":\""
                            + (shared ? "team-a" : "team-b") + "\",\"reply_to\":\"cascade.answers."
                            + (shared ? "other" : "team-a") + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(read("cascade.dlq")).extracting(r -> header(r, DeadLetterHeaders.REASON))
                .containsExactly("invalid_field", "invalid_field");
        assertThat(calls).isEmpty();
    }
}
