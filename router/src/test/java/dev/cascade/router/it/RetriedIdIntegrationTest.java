package dev.cascade.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Retried query ids on the real broker with a cost ledger running: within the idempotency window a retry gets the
 * stored answer again on its own reply topic, marked replayed, with no model call and no attempt, so the ledger's
 * spend does not move; the stored answers survive a restart that wipes the local state (they are changelogged). After
 * the window the id is a new query, paid for again, and the ledger agrees with the attempts topic to the micro-dollar.
 */
class RetriedIdIntegrationTest {
    private static final long WINDOW_MS = 10_000;

    @Test
    void shouldReplayTheStoredAnswerOnTheRetrysReplyTopicAtNoCostAlsoAfterLosingLocalState() throws Exception {
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            String replyTopic = "a-" + h.appId.substring(h.appId.length() - 8) + "-reply";
            h.broker.createTopics(1, List.of(replyTopic));
            LedgerCheck ledger = new LedgerCheck(h);
            try {
                h.start(); // the default window: 24 h
                int n = 5;
                String onReplyTopic = "{\"id\":\"r-0\",\"prompt\":\"retried question 0\",\"reply_to\":\""
                        + replyTopic + "\"}";
                h.io.send(h.topics.queries(), "r-0", onReplyTopic); // answers are kept per reply topic and id
                for (int i = 1; i < n; i++) {
                    h.query("r-" + i, null, "retried question " + i);
                }
                List<JsonNode> originals = Stream.concat(h.answers(n - 1).stream(),
                        h.read(replyTopic, 1, Duration.ofSeconds(60)).stream()).map(RouterHarness::json).toList();
                assertThat(originals).allSatisfy(a -> assertThat(a.has("replayed")).isFalse());
                long calls = modelCalls(h);
                List<ConsumerRecord<byte[], byte[]>> attempts = attempts(h, n);
                BigDecimal spent = LedgerCheck.sum(attempts);
                assertThat(ledger.attemptsCost(attempts.size(), Duration.ofSeconds(60))).isEqualByComparingTo(spent);

                for (int i = 1; i < n; i++) {
                    h.query("r-" + i, null, "retried question " + i);
                }
                h.io.send(h.topics.queries(), "r-0", onReplyTopic);
                List<JsonNode> replays = Stream.concat(
                        h.read(h.topics.answers(), 2 * (n - 1), Duration.ofSeconds(60)).stream(),
                        h.read(replyTopic, 2, Duration.ofSeconds(60)).stream())
                        .map(RouterHarness::json).filter(a -> a.path("replayed").asBoolean()).toList();
                assertThat(replays).hasSize(n);
                for (JsonNode replay : replays) {
                    JsonNode original = byId(originals, replay.path("id").asText());
                    assertThat(replay.path("content")).isEqualTo(original.path("content"));
                    assertThat(replay.path("cost_usd")).isEqualTo(original.path("cost_usd"));
                    assertThat(replay.path("attempts")).isEqualTo(original.path("attempts"));
                }
                assertThat(modelCalls(h)).as("no model call for a replay").isEqualTo(calls);
                assertThat(attempts(h, 0)).as("no attempt for a replay").hasSize(attempts.size());
                assertThat(ledger.attemptsCost(attempts.size(), Duration.ofSeconds(10)))
                        .as("the ledger's spend did not move").isEqualByComparingTo(spent);

                // the stored answers are changelogged: a router without its local state still replays them
                h.stopRouter();
                deleteTree(TestKafka.testDir().resolve("state").resolve(h.appId));
                h.start();
                h.query("r-1", null, "retried question 1");
                assertThat(h.read(h.topics.answers(), 2 * n - 1, Duration.ofSeconds(60)).stream()
                        .map(RouterHarness::json).filter(a -> a.path("id").asText().equals("r-1"))
                        .filter(a -> a.path("replayed").asBoolean())).hasSize(2);
                assertThat(modelCalls(h)).isEqualTo(calls);
                assertThat(ledger.attemptsCost(attempts.size(), Duration.ofSeconds(10))).isEqualByComparingTo(spent);
                System.out.printf("retried ids: %d replays (one on its reply_to topic, one after a restart without "
                        + "local state), 0 model calls, ledger %s USD before and after%n", n + 1,
                        spent.toPlainString());
            } finally {
                ledger.close();
            }
        }
    }

    @Test
    void shouldAnswerARetryAfterTheWindowAsANewQueryThatTheLedgerCounts() throws Exception {
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            @SuppressWarnings("unchecked")
            Map<String, Object> router = (Map<String, Object>) h.doc.get("router");
            router.put("idempotency_window_ms", WINDOW_MS);
            LedgerCheck ledger = new LedgerCheck(h);
            try {
                h.start();
                h.query("w-0", null, "question");
                ConsumerRecord<byte[], byte[]> first = h.answers(1).get(0);
                long calls = modelCalls(h);
                List<ConsumerRecord<byte[], byte[]>> attempts = attempts(h, 1);
                BigDecimal spent = LedgerCheck.sum(attempts);

                Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> System.currentTimeMillis() > first.timestamp() + WINDOW_MS + 500);
                h.query("w-0", null, "question");
                List<JsonNode> answers = h.answers(2).stream().map(RouterHarness::json).toList();
                assertThat(answers).hasSize(2).allSatisfy(a -> assertThat(a.has("replayed")).isFalse());
                assertThat(modelCalls(h)).as("called again").isGreaterThan(calls);
                List<ConsumerRecord<byte[], byte[]>> after = attempts(h, attempts.size() + 1);
                BigDecimal total = LedgerCheck.sum(after);
                assertThat(total).as("paid again").isGreaterThan(spent);
                assertThat(ledger.attemptsCost(after.size(), Duration.ofSeconds(60))).isEqualByComparingTo(total);
                System.out.printf("retry after the %d ms window: a new query, paid again (ledger %s USD = attempts "
                        + "topic)%n", WINDOW_MS, total.toPlainString());
            } finally {
                ledger.close();
            }
        }
    }

    private static long modelCalls(RouterHarness h) {
        return Stream.of("small-model", "medium-model", "large-model", "general-model")
                .mapToLong(h.simulator::requests).sum();
    }

    /** The attempts topic once it holds at least {@code atLeast} records, read on for a moment to catch extras. */
    private static List<ConsumerRecord<byte[], byte[]>> attempts(RouterHarness h, int atLeast) {
        return h.io.readUntil(h.topics.attempts(), rs -> rs.size() >= atLeast, Duration.ofSeconds(60),
                Duration.ofSeconds(2));
    }

    private static JsonNode byId(List<JsonNode> answers, String id) {
        return answers.stream().filter(a -> a.path("id").asText().equals(id)).findFirst().orElseThrow();
    }

    private static void deleteTree(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
