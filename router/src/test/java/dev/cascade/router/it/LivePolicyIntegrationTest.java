package dev.cascade.router.it;

import static dev.cascade.router.it.KafkaIO.text;
import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Routing policies changed live through the compacted config topic, validated, reported, and kept over restarts. */
class LivePolicyIntegrationTest {
    private static final String ZERO = "{\"tiers\":[{\"name\":\"small\",\"threshold\":0},{\"name\":\"general\"}],"
            + "\"shadow_rate\":0.0}";
    private static final String ONE = "{\"tiers\":[{\"name\":\"small\",\"threshold\":1},{\"name\":\"general\"}]}";

    private final AtomicInteger ids = new AtomicInteger();

    /** Publishes a config record and returns its status record. */
    private static JsonNode publish(RouterHarness h, String route, String value) {
        RecordMetadata md = h.io.send(h.topics.config(), route, value);
        List<ConsumerRecord<byte[], byte[]>> statuses = h.io.readUntil(h.topics.configStatus(),
                rs -> rs.stream().anyMatch(r -> isStatusOf(r, route, md.offset())), Duration.ofSeconds(30),
                Duration.ZERO);
        return statuses.stream().filter(r -> isStatusOf(r, route, md.offset())).map(RouterHarness::json)
                .findFirst().orElseThrow(() -> new AssertionError("no status for " + route + "@" + md.offset()));
    }

    private static boolean isStatusOf(ConsumerRecord<byte[], byte[]> r, String route, long offset) {
        return route.equals(text(r.key())) && json(r).path("config_offset").asLong(-1) == offset;
    }

    /** Sends {@code n} queries on {@code route} and returns the tiers that answered them. */
    private List<String> answerTiers(RouterHarness h, String route, int n) {
        List<String> sent = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "p-" + ids.incrementAndGet();
            sent.add(id);
            h.query(id, route, "policy question " + id);
        }
        List<ConsumerRecord<byte[], byte[]>> answers = h.io.readUntil(h.topics.answers(),
                rs -> rs.stream().filter(r -> sent.contains(json(r).path("id").asText())).count() == n,
                Duration.ofSeconds(60), Duration.ZERO);
        return answers.stream().map(RouterHarness::json).filter(a -> sent.contains(a.path("id").asText()))
                .map(a -> a.path("tier").asText()).toList();
    }

    @Test
    void shouldSwitchBetweenAnsweringAtFirstTierAndEscalatingEverythingWithoutRestart() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            assertThat(publish(h, "live", ZERO).path("status").asText()).isEqualTo("ACCEPTED");
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> answerTiers(h, "live", 1).equals(
                    List.of("small")));
            h.simulator.update("small-model", Map.of("confidence_correct", 0.05, "confidence_wrong", 0.05));
            assertThat(answerTiers(h, "live", 10)).containsOnly("small").hasSize(10);

            long published = System.nanoTime();
            JsonNode status = publish(h, "live", ONE);
            assertThat(status.path("status").asText()).isEqualTo("ACCEPTED");
            assertThat(status.path("effective_policy").path("tiers").get(0).path("threshold").asDouble())
                    .isEqualTo(1.0);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> answerTiers(h, "live", 1).equals(
                    List.of("general")));
            System.out.printf("policy change applied within %d ms of publishing%n",
                    (System.nanoTime() - published) / 1_000_000);
            h.simulator.update("small-model", Map.of("confidence_correct", 0.99, "confidence_wrong", 0.99));
            assertThat(answerTiers(h, "live", 10)).containsOnly("general").hasSize(10);
            assertThat(h.app.state()).isEqualTo(org.apache.kafka.streams.KafkaStreams.State.RUNNING);
        }
    }

    @Test
    void shouldRejectInvalidRecordsWithStatusAndKeepLastGoodPolicy() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            assertThat(publish(h, "live", ZERO).path("status").asText()).isEqualTo("ACCEPTED");
            h.simulator.update("small-model", Map.of("confidence_correct", 0.05, "confidence_wrong", 0.05));
            Map<String, String> bad = Map.of(
                    "{\"tiers\":[{\"name\":\"small\",\"threshold\":1.5},{\"name\":\"general\"}]}", "1.5",
                    "{\"tiers\":[{\"name\":\"tiny\",\"threshold\":0.5},{\"name\":\"general\"}]}", "unknown tier 'tiny'",
                    "{\"tiers\":[{\"name\":\"small\",\"threshold\":0.5},{\"name\":\"general\"}],\"colour\":1}",
                    "unknown field 'colour'",
                    "\u0000\u00ff garbage", "not a JSON policy");
            for (Map.Entry<String, String> e : bad.entrySet()) {
                JsonNode status = publish(h, "live", e.getKey());
                assertThat(status.path("status").asText()).as(e.getKey()).isEqualTo("REJECTED");
                assertThat(status.path("reason").asText()).as(e.getKey()).contains(e.getValue());
                assertThat(status.path("effective_policy").path("tiers").get(0).path("threshold").asDouble())
                        .as("last good policy reported as in effect").isEqualTo(0.0);
            }
            // still the last good policy: threshold 0 on small answers everything there
            assertThat(answerTiers(h, "live", 5)).containsOnly("small").hasSize(5);
        }
    }

    @Test
    void shouldRemoveRouteOnTombstoneAndComeBackWithLatestPoliciesAfterRestart() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            String mediumFirst = "{\"tiers\":[{\"name\":\"medium\",\"threshold\":0},{\"name\":\"general\"}]}";
            String largeFirst = "{\"tiers\":[{\"name\":\"large\",\"threshold\":0},{\"name\":\"general\"}]}";
            assertThat(publish(h, "gone", mediumFirst).path("status").asText()).isEqualTo("ACCEPTED");
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> answerTiers(h, "gone", 1).equals(List.of("medium")));

            JsonNode removed = publish(h, "gone", null);
            assertThat(removed.path("status").asText()).isEqualTo("ACCEPTED");
            assertThat(removed.path("effective_policy").isNull()).isTrue();
            // the route is gone: its queries take the default route (small first, confidence 0.95 >= 0.8)
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> answerTiers(h, "gone", 1).equals(List.of("small")));

            assertThat(publish(h, "kept", largeFirst).path("status").asText()).isEqualTo("ACCEPTED");
            assertThat(publish(h, "kept", "{\"tiers\":[]}").path("status").asText()).isEqualTo("REJECTED");
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> answerTiers(h, "kept", 1).equals(List.of("large")));

            h.stopRouter();
            h.start();
            // the first queries after the restart already follow the latest good policies
            assertThat(answerTiers(h, "kept", 3)).containsOnly("large").hasSize(3);
            assertThat(answerTiers(h, "gone", 3)).containsOnly("small").hasSize(3);
        }
    }
}
