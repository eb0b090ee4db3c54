package dev.cascade.router.processor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.core.RouteTable;
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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deadlines, bounded waiting and replayed answers in the production topology under {@link TopologyTestDriver}, with
 * model calls the test completes by hand. The tests move the router's clock (deadlines, the idempotency window)
 * together with the driver's wall clock (which fires the punctuation).
 */
class DeadlineOverloadReplayTest {
    private final Map<String, List<CompletableFuture<ModelReply>>> calls = new LinkedHashMap<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> queries;
    private TestOutputTopic<byte[], byte[]> answers;
    private TestOutputTopic<byte[], byte[]> attempts;
    private Tiers tiers;
    private final MovableClock clock = new MovableClock(Clock.systemUTC());

    @BeforeEach
    void setUp() {
        // small: one call slot and one waiting place; general: one call slot, no waiting place
        Map<String, Object> doc = Map.of(
                "router", Map.of("idempotency_window_ms", 60_000),
                "tiers", Map.of(
                        "small", Map.of("base_url", "http://unused/v1", "model", "s", "max_in_flight", 1,
                                "max_waiting", 1, "timeout_ms", 30_000,
                                "pricing", Map.of("input_usd_per_1m_tokens", "1", "output_usd_per_1m_tokens", "2")),
                        "general", Map.of("base_url", "http://unused/v1", "model", "g", "confidence", "none",
                                "max_in_flight", 1, "max_waiting", 0)),
                "routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "small", "threshold", 0.8),
                        Map.of("name", "general")))));
        RouterConfig config = RouterConfig.from(doc, Map.of(), "test");
        tiers = Tiers.withClients(config.tiers().values(), name -> (ModelRequest request) -> {
            CompletableFuture<ModelReply> f = new CompletableFuture<>();
            calls.computeIfAbsent(name, n -> new ArrayList<>()).add(f);
            return f;
        }, null, clock);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "limits-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RouterTopology.build(config, RouteTable.of(config.routes()), tiers,
                new RouterMetrics(registry, tiers, config.routes().keySet())), props);
        queries = driver.createInputTopic("cascade.queries", new ByteArraySerializer(), new ByteArraySerializer());
        answers = driver.createOutputTopic("cascade.answers", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        attempts = driver.createOutputTopic("cascade.attempts", new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void send(String id, String extra, Instant timestamp) {
        queries.pipeInput(id.getBytes(StandardCharsets.UTF_8),
                ("{\"id\":\"" + id + "\",\"prompt\":\"q\"" + extra + "}").getBytes(StandardCharsets.UTF_8),
                timestamp);
    }

    private void send(String id, String extra) {
        send(id, extra, Instant.ofEpochMilli(System.currentTimeMillis()));
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moves the router's clock and the driver's wall clock (which fires the punctuation) together. */
    private void advance(Duration by) {
        clock.advance(by);
        driver.advanceWallClockTime(by);
    }

    private List<JsonNode> read(TestOutputTopic<byte[], byte[]> topic) {
        return topic.readValuesToList().stream().map(DeadlineOverloadReplayTest::json).toList();
    }

    private int calls(String tier) {
        return calls.getOrDefault(tier, List.of()).size();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void shouldExpireAWaitingQueryAtItsDeadlineWithoutACall() {
        send("busy", "");
        send("waits", ",\"deadline_ms\":1000");
        assertThat(calls("small")).as("the second query waits for small's one slot").isEqualTo(1);

        advance(Duration.ofMillis(900));
        assertThat(answers.isEmpty()).as("not before its deadline").isTrue();
        advance(Duration.ofMillis(200));

        JsonNode failed = json(answers.readValue());
        assertThat(failed.path("id").asText()).isEqualTo("waits");
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");
        assertThat(failed.path("error").asText()).isEqualTo("deadline: 1000 ms (deadline_ms) passed before an answer; "
                + "tiers tried: none");
        assertThat(failed.path("attempts")).isEmpty();
        assertThat(failed.path("cost_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(calls("small")).isEqualTo(1);
        assertThat(calls("general")).isZero();
        assertThat(tiers.get("small").waiting()).as("its waiting place is free again").isZero();

        calls.get("small").get(0).complete(new ModelReply("ok", 1, 1, 0.95));
        advance(Duration.ofMillis(20));
        assertThat(json(answers.readValue()).path("id").asText()).isEqualTo("busy");
        assertThat(calls("small")).as("the expired query is never dispatched").isEqualTo(1);
        assertThat(counter("router.deadlines.missed")).isEqualTo(1.0);
    }

    @Test
    void shouldFailAtOnceWithoutACallAQueryWhoseDeadlinePassedWhileItWaitedInKafka() {
        send("late", ",\"deadline_ms\":1000", Instant.now().minusSeconds(5));

        JsonNode failed = json(answers.readValue());
        assertThat(failed.path("status").asText()).isEqualTo("FAILED");
        assertThat(failed.path("error").asText()).startsWith("deadline: 1000 ms");
        assertThat(calls).isEmpty();
        assertThat(attempts.isEmpty()).isTrue();
    }

    @Test
    void shouldCutTheCallShortAtTheDeadlineAndCallNoLaterTier() {
        long sent = System.nanoTime();
        send("hangs", ",\"deadline_ms\":300");
        assertThat(calls("small")).isEqualTo(1);

        // the call (never completed by the test) is cut at the deadline in real time; the punctuation collects it
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
            driver.advanceWallClockTime(Duration.ofMillis(10));
            return !answers.isEmpty();
        });
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        JsonNode failed = json(answers.readValue());
        assertThat(failed.path("error").asText()).isEqualTo("deadline: 300 ms (deadline_ms) passed before an answer; "
                + "tiers tried: small=TIMEOUT");
        JsonNode attempt = read(attempts).get(0);
        assertThat(attempt.path("outcome").asText()).isEqualTo("TIMEOUT");
        assertThat(attempt.path("error").asText()).startsWith("cut short at the query's deadline after ")
                .endsWith("(the tier's time-out is 30000 ms)");
        assertThat(calls("general")).as("no tier is called after the deadline").isZero();
        assertThat(tiers.get("small").bulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
        assertThat(tiers.get("small").breaker().getMetrics().getNumberOfFailedCalls())
                .as("a deadline is the query's limit, not the tier's failure").isZero();
    }

    @Test
    void shouldTakeTheRouteDefaultDeadlineWhenTheQueryNamesNone() {
        driver.close();
        Map<String, Object> doc = Map.of(
                "tiers", Map.of("general", Map.of("base_url", "http://unused/v1", "model", "g", "confidence", "none",
                        "max_in_flight", 1)),
                "routes", Map.of("default", Map.of("deadline_ms", 500, "tiers", List.of(Map.of("name", "general")))));
        RouterConfig config = RouterConfig.from(doc, Map.of(), "test");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "limits-test-route");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RouterTopology.build(config, RouteTable.of(config.routes()), tiers,
                new RouterMetrics(new SimpleMeterRegistry(), tiers, config.routes().keySet())), props);
        queries = driver.createInputTopic("cascade.queries", new ByteArraySerializer(), new ByteArraySerializer());
        answers = driver.createOutputTopic("cascade.answers", new ByteArrayDeserializer(), new ByteArrayDeserializer());

        send("own", ",\"deadline_ms\":2000", Instant.now().minusMillis(1000));
        send("default", "", Instant.now().minusMillis(1000));

        JsonNode failed = json(answers.readValue());
        assertThat(failed.path("id").asText()).isEqualTo("default");
        assertThat(failed.path("error").asText()).startsWith("deadline: 500 ms");
        assertThat(calls("general")).as("the query with its own, longer deadline is called").isEqualTo(1);
    }

    @Test
    void shouldMoveOnFromAFullTierAndFailFastAsOverloadedWhenNoTierHasRoom() {
        send("q1", "");
        send("q2", "");
        send("q3", "");
        send("q4", "");
        assertThat(calls("small")).isEqualTo(1);
        assertThat(calls("general")).as("q3 found small full and moved on").isEqualTo(1);

        JsonNode overloaded = json(answers.readValue());
        assertThat(overloaded.path("id").asText()).isEqualTo("q4");
        assertThat(overloaded.path("status").asText()).isEqualTo("FAILED");
        assertThat(overloaded.path("error").asText()).startsWith("overloaded: no tier had room (small=SHORT_CIRCUITED, "
                + "general=SHORT_CIRCUITED); last: tier 'general' is full: 1 calls in flight and 0 waiting");
        assertThat(overloaded.path("cost_usd").decimalValue()).isEqualByComparingTo("0");
        assertThat(counter("router.tier.overflow", "tier", "small")).isEqualTo(2.0);
        assertThat(counter("router.tier.overflow", "tier", "general")).isEqualTo(1.0);

        calls.get("small").get(0).complete(new ModelReply("a1", 1, 1, 0.95));
        calls.get("general").get(0).complete(new ModelReply("a3", 1, 1, null));
        advance(Duration.ofMillis(20));
        assertThat(calls("small")).as("q2 waited and now has the slot").isEqualTo(2);
        calls.get("small").get(1).complete(new ModelReply("a2", 1, 1, 0.95));
        advance(Duration.ofMillis(20));

        assertThat(read(answers)).extracting(a -> a.path("id").asText() + "=" + a.path("status").asText())
                .containsExactlyInAnyOrder("q1=ANSWERED", "q3=ANSWERED", "q2=ANSWERED");
        assertThat(tiers.get("small").waiting()).isZero();
    }

    @Test
    void shouldReplayTheStoredAnswerOfARetriedIdWithinTheWindowWithoutACall() {
        send("r1", "");
        calls.get("small").get(0).complete(new ModelReply("first", 10, 5, 0.95));
        advance(Duration.ofMillis(20));
        JsonNode original = json(answers.readValue());
        assertThat(original.has("replayed")).isFalse();
        assertThat(read(attempts)).hasSize(1);

        advance(Duration.ofSeconds(30));
        send("r1", "");
        JsonNode replayed = json(answers.readValue());
        assertThat(replayed.path("replayed").asBoolean()).isTrue();
        assertThat(replayed.path("content").asText()).isEqualTo("first");
        assertThat(replayed.path("cost_usd")).isEqualTo(original.path("cost_usd"));
        assertThat(replayed.path("attempts")).isEqualTo(original.path("attempts"));
        assertThat(calls("small")).as("no model call").isEqualTo(1);
        assertThat(attempts.isEmpty()).as("no attempt, no new spend").isTrue();
        assertThat(counter("router.queries.replayed")).isEqualTo(1.0);
        assertThat(counter("router.queries", "route", "default", "status", "ANSWERED")).isEqualTo(1.0);

        advance(Duration.ofSeconds(31));
        send("r1", "");
        assertThat(calls("small")).as("after the window the id is a new query").isEqualTo(2);
    }

    @Test
    void shouldReplayOnlyToTheReplyTopicTheIdWasAnsweredOn() {
        send("t1", "");
        calls.get("small").get(0).complete(new ModelReply("mine", 10, 5, 0.95));
        advance(Duration.ofMillis(20));
        assertThat(json(answers.readValue()).path("content").asText()).isEqualTo("mine");

        TestOutputTopic<byte[], byte[]> other = driver.createOutputTopic("cascade.answers.other",
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        send("t1", ",\"reply_to\":\"cascade.answers.other\"");
        assertThat(calls("small")).as("the same id on another reply topic is another query").isEqualTo(2);
        calls.get("small").get(1).complete(new ModelReply("theirs", 10, 5, 0.95));
        advance(Duration.ofMillis(20));
        JsonNode answer = json(other.readValue());
        assertThat(answer.path("content").asText()).isEqualTo("theirs");
        assertThat(answer.has("replayed")).isFalse();

        send("t1", ",\"reply_to\":\"cascade.answers.other\"");
        assertThat(json(other.readValue()).path("content").asText()).isEqualTo("theirs");
        assertThat(calls("small")).isEqualTo(2);
        assertThat(answers.isEmpty()).isTrue();
    }

    @Test
    void shouldTreatARetryAfterAFailedAnswerAsANewQuery() {
        send("f1", ",\"deadline_ms\":1000", Instant.now().minusSeconds(5));
        assertThat(json(answers.readValue()).path("status").asText()).isEqualTo("FAILED");

        send("f1", "");
        assertThat(calls("small")).as("a failure is not kept for replay").isEqualTo(1);
        assertThat(answers.isEmpty()).isTrue();
    }
}
