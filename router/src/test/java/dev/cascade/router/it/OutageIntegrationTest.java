package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Every tier down, the general API included: queries are answered FAILED with the reason, none is lost; when the
 * tiers return, the breakers close through half-open probes and service is normal again.
 */
class OutageIntegrationTest {
    private static final List<String> MODELS = List.of("small-model", "medium-model", "large-model",
            "general-model");

    @Test
    void shouldFailVisiblyDuringTotalOutageAndRecoverWhenTiersReturn() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            MODELS.forEach(m -> h.simulator.update(m, Map.of("mode", "fail")));
            for (int i = 0; i < 12; i++) {
                h.query("down-" + i, null, "during outage " + i);
            }
            List<JsonNode> failed = h.answers(12).stream().map(RouterHarness::json).toList();
            assertThat(failed).hasSize(12);
            assertThat(failed).allSatisfy(a -> {
                assertThat(a.path("status").asText()).isEqualTo("FAILED");
                assertThat(a.path("error").asText()).startsWith("every tier failed").contains("general=");
            });
            // Twelve concurrent queries can all reach the general tier before its breaker has recorded four
            // failures, so the proof that it opens is sequential: one query at a time, each sent after the last
            // answer, must find it SHORT_CIRCUITED within a few queries (the window is 4 calls at 50 %).
            int outage = 12;
            boolean shortCircuited = false;
            for (int i = 0; i < 8 && !shortCircuited; i++) {
                String id = "down-seq-" + i;
                h.query(id, null, "during outage, one at a time " + i);
                outage++;
                JsonNode last = h.answers(outage).stream().map(RouterHarness::json)
                        .filter(a -> a.path("id").asText().equals(id))
                        .findFirst().orElseThrow();
                assertThat(last.path("status").asText()).isEqualTo("FAILED");
                shortCircuited = last.path("error").asText().contains("general=SHORT_CIRCUITED");
            }
            // once the breakers are open, no call reaches the dead tiers and nothing is spent on them
            assertThat(shortCircuited).as("general breaker opened within 8 sequential failed queries").isTrue();

            MODELS.forEach(m -> h.simulator.update(m, Map.of("mode", "ok")));
            int down = outage;
            int[] sent = {0};
            Awaitility.await("service returns").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        h.query("up-probe-" + sent[0]++, null, "probe " + sent[0]);
                        return h.answers(down + sent[0]).stream().map(RouterHarness::json)
                                .anyMatch(a -> a.path("id").asText().startsWith("up-probe")
                                        && a.path("status").asText().equals("ANSWERED"));
                    });
            for (int i = 0; i < 10; i++) {
                h.query("up-" + i, null, "after outage " + i);
            }
            List<ConsumerRecord<byte[], byte[]>> all = h.answers(outage + sent[0] + 10);
            Map<String, Long> perId = all.stream().collect(Collectors.groupingBy(r -> json(r).path("id").asText(),
                    Collectors.counting()));
            assertThat(perId).hasSize(outage + sent[0] + 10);
            assertThat(perId.values()).containsOnly(1L);
            assertThat(all.stream().map(RouterHarness::json).filter(a -> a.path("id").asText().startsWith("up-")
                    && !a.path("id").asText().startsWith("up-probe"))).allSatisfy(a ->
                    assertThat(a.path("status").asText()).isEqualTo("ANSWERED"));
        }
    }
}
