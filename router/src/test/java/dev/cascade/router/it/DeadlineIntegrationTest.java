package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Deadlines against hanging tiers on the real broker: a query is answered FAILED at its deadline (plus at most one
 * punctuation and the scheduling of a busy machine), no tier is called after it, and the deadline, absolute in the
 * changelogged in-flight store, holds across a SIGKILL of the router's process.
 */
class DeadlineIntegrationTest {
    private static final int PUNCTUATE_MS = 10;
    /** Scheduling allowance on a shared two-core machine, beyond the one punctuation. */
    private static final int SLACK_MS = 150;

    private static String timed(String id, String route, long deadlineMs) {
        return "{\"id\":\"" + id + "\"" + (route == null ? "" : ",\"route\":\"" + route + "\"")
                + ",\"deadline_ms\":" + deadlineMs + ",\"prompt\":\"question " + id + "\"}";
    }

    @Test
    void shouldAnswerFailedAtTheDeadlineAndCallNoTierAfterIt() {
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            h.tier("small").put("timeout_ms", 80); // a tier time-out well inside the deadline: medium is tried
            h.routes().put("warm", Map.of("tiers", List.of(Map.of("name", "general"))));
            h.start();
            h.simulator.update("small-model", Map.of("mode", "hang", "hang_ms", 20_000));
            h.simulator.update("medium-model", Map.of("mode", "hang", "hang_ms", 20_000));
            warmUp(h);
            long generalBefore = h.simulator.requests("general-model");
            int n = 8;
            List<Long> sentAt = new ArrayList<>();
            List<ConsumerRecord<byte[], byte[]>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // one at a time, so each measures the router rather than a burst queued behind the others
                sentAt.add(h.io.send(h.topics.queries(), "d-" + i, timed("d-" + i, null, 200)).timestamp());
                String id = "d-" + i;
                answers.add(h.io.readUntil(h.topics.answers(), rs -> rs.stream().anyMatch(r -> isAnswerTo(r, id)),
                        Duration.ofSeconds(30), Duration.ZERO).stream().filter(r -> isAnswerTo(r, id)).findFirst()
                        .orElseThrow());
            }
            long worst = 0;
            List<Long> lateness = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : answers) {
                JsonNode a = json(r);
                int i = Integer.parseInt(a.path("id").asText().substring(2));
                long late = r.timestamp() - (sentAt.get(i) + 200);
                worst = Math.max(worst, late);
                lateness.add(late);
                assertThat(a.path("status").asText()).isEqualTo("FAILED");
                assertThat(a.path("error").asText()).startsWith("deadline: 200 ms (deadline_ms) passed before an "
                        + "answer; tiers tried: ");
            }
            // the cut call at medium ended every query: nothing reached large or general, then or later
            Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> h.simulator.requests("large-model") == 0
                            && h.simulator.requests("general-model") == generalBefore);
            assertThat(h.simulator.requests("medium-model")).as("medium was tried before the deadline").isPositive();
            assertThat(answers.stream().map(r -> json(r).path("error").asText()))
                    .anyMatch(e -> e.contains("small=TIMEOUT, medium=TIMEOUT"));
            System.out.printf("deadline 200 ms, hanging tiers: %d queries FAILED at most %d ms after the deadline "
                    + "(punctuation %d ms): %s%n", n, worst, PUNCTUATE_MS, lateness);
            assertThat(lateness).as("ms after the deadline").allSatisfy(late -> assertThat(late).isBetween(0L,
                    (long) PUNCTUATE_MS + SLACK_MS));
        }
    }

    @Test
    void shouldHoldTheDeadlineAcrossARouterKill() throws Exception {
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            @SuppressWarnings("unchecked")
            Map<String, Object> kafka = (Map<String, Object>) h.doc.get("kafka");
            kafka.put("main.consumer.session.timeout.ms", "6000");
            kafka.put("main.consumer.heartbeat.interval.ms", "1000");
            h.tier("small").put("timeout_ms", 500);
            h.tier("medium").put("timeout_ms", 60_000);
            h.routes().put("b", Map.of("tiers", List.of(Map.of("name", "medium", "threshold", 0.5),
                    Map.of("name", "general"))));
            h.routes().put("warm", Map.of("tiers", List.of(Map.of("name", "large"))));
            h.simulator.update("small-model", Map.of("mode", "hang", "hang_ms", 60_000));
            h.simulator.update("medium-model", Map.of("mode", "hang", "hang_ms", 60_000));
            Path dir = TestKafka.testDir().resolve("deadline-" + h.appId);
            long aDeadline = 25_000;
            long bDeadline = 4_000;
            RouterProcess first = RouterProcess.start(h.doc, dir, "first");
            long aSent;
            long bSent;
            try {
                // the router is consuming once a bad input reaches the DLQ (no tier is involved)
                h.io.send(h.topics.queries(), "warm", "not json");
                assertThat(h.read(h.topics.dlq(), 1, Duration.ofSeconds(60))).as("router said:%n%s", first.output())
                        .hasSize(1);
                aSent = h.io.send(h.topics.queries(), "a", timed("a", null, aDeadline)).timestamp();
                bSent = h.io.send(h.topics.queries(), "b", timed("b", "b", bDeadline)).timestamp();
                // a: small times out (tier time-out), then medium hangs; b: medium hangs. Both entries committed.
                Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> h.simulator.requests("medium-model") == 2);
                String changelog = h.appId + "-inflight-queries-changelog";
                String aKey = dev.cascade.router.processor.InFlight.key(h.topics.answers(), "a");
                String bKey = dev.cascade.router.processor.InFlight.key(h.topics.answers(), "b");
                h.io.readUntil(changelog, rs -> rs.stream().filter(r -> r.value() != null
                        && new String(r.value(), StandardCharsets.UTF_8).contains("\"tier_index\":1")
                        && new String(r.key(), StandardCharsets.UTF_8).equals(aKey)).count() > 0
                        && rs.stream().anyMatch(r -> new String(r.key(), StandardCharsets.UTF_8).equals(bKey)),
                        Duration.ofSeconds(30), Duration.ZERO);
            } finally {
                first.kill();
            }
            long mediumBefore = h.simulator.requests("medium-model");
            // b's deadline passes while no router runs
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> System.currentTimeMillis() > bSent + bDeadline + 200);
            try (RouterProcess second = RouterProcess.start(h.doc, dir, "second")) {
                warmUp(h); // before a's deadline, so its timing is the router's and not a cold JVM's
                List<ConsumerRecord<byte[], byte[]>> answers = h.io.readUntil(h.topics.answers(),
                        rs -> rs.stream().filter(r -> List.of("a", "b").contains(json(r).path("id").asText()))
                                .count() >= 2, Duration.ofSeconds(90), Duration.ofSeconds(1));
                ConsumerRecord<byte[], byte[]> a = only(answers, "a");
                ConsumerRecord<byte[], byte[]> b = only(answers, "b");
                assertThat(a).as("router said:%n%s", second.output()).isNotNull();
                assertThat(b).as("router said:%n%s", second.output()).isNotNull();
                assertThat(json(b).path("error").asText()).isEqualTo("deadline: 4000 ms (deadline_ms) passed before "
                        + "an answer; tiers tried: none");
                assertThat(json(a).path("error").asText()).as("answer %s; router said:%n%s", json(a),
                        second.output()).startsWith("deadline: 25000 ms (deadline_ms)")
                        .contains("small=TIMEOUT");
                long late = a.timestamp() - (aSent + aDeadline);
                assertThat(late).as("a answered %d ms after its absolute deadline: %s", late, json(a))
                        .isBetween(0L, (long) PUNCTUATE_MS + SLACK_MS);
                // after the restart only a was dispatched again (at medium); b expired without a call
                assertThat(h.simulator.requests("medium-model")).isEqualTo(mediumBefore + 1);
                assertThat(h.simulator.requests("large-model")).as("the warm-up calls only").isEqualTo(5);
                assertThat(h.simulator.requests("general-model")).isZero();
                System.out.printf("deadline across SIGKILL: a answered %d ms after its deadline of %d ms; b (deadline "
                        + "passed while down) failed without a call%n", late, aDeadline);
            }
        }
    }

    private static boolean isAnswerTo(ConsumerRecord<byte[], byte[]> r, String id) {
        return r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(id);
    }

    /** Routes a few queries through the running router (a route that does not hang), so timings exclude warm-up. */
    private static void warmUp(RouterHarness h) {
        for (int i = 0; i < 5; i++) {
            h.query("warm-" + i, "warm", "warm-up " + i);
        }
        assertThat(h.io.readUntil(h.topics.answers(), rs -> rs.stream().filter(r -> json(r).path("id").asText()
                .startsWith("warm-")).count() >= 5, Duration.ofSeconds(60), Duration.ZERO).stream()
                .filter(r -> json(r).path("id").asText().startsWith("warm-"))).hasSize(5);
    }

    private static ConsumerRecord<byte[], byte[]> only(List<ConsumerRecord<byte[], byte[]>> answers, String id) {
        List<ConsumerRecord<byte[], byte[]>> mine = answers.stream()
                .filter(r -> json(r).path("id").asText().equals(id)).toList();
        assertThat(mine).as("answers to %s", id).hasSizeLessThanOrEqualTo(1);
        return mine.isEmpty() ? null : mine.get(0);
    }
}
