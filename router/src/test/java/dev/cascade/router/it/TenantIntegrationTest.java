package dev.cascade.router.it;

import static dev.cascade.router.it.KafkaIO.header;
import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.events.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * Two teams with queries topics of their own (different partition counts) beside the shared one, on the real broker:
 * each is answered only on its own reply topics, neither can answer on the other's, and both may use the same ids.
 */
class TenantIntegrationTest {

    @Test
    void shouldAnswerEachTenantOnItsOwnReplyTopicsOnly() {
        try (RouterHarness h = new RouterHarness(doc -> { })) {
            String sfx = h.appId.substring(h.appId.length() - 8);
            String queriesA = "tq-a-" + sfx;
            String queriesB = "tq-b-" + sfx;
            String replyA = "a-" + sfx + "-team-a-reply";
            String replyB = "a-" + sfx + "-team-b-reply";
            h.broker.createTopics(1, List.of(queriesA, replyA, replyB));
            h.broker.createTopics(3, List.of(queriesB));
            @SuppressWarnings("unchecked")
            Map<String, Object> router = (Map<String, Object>) h.doc.get("router");
            router.put("tenants", Map.of(
                    "team-a", Map.of("queries", queriesA, "reply_to_allow", List.of(replyA)),
                    "team-b", Map.of("queries", queriesB, "reply_to_allow", List.of(replyB))));
            h.start();

            send(h, queriesA, "order-1", replyA, "a");
            send(h, queriesB, "order-1", replyA, "b");          // B names A's reply topic from its own topic
            send(h, h.topics.queries(), "order-1", replyA, "x"); // or from the shared topic
            send(h, queriesB, "order-1", replyB, "b");          // the same id, on B's own reply topic

            List<ConsumerRecord<byte[], byte[]>> dlq = h.read(h.topics.dlq(), 2, Duration.ofSeconds(60));
            assertThat(dlq).extracting(r -> header(r, DeadLetterHeaders.REASON))
                    .containsExactly("reply_to_not_allowed", "reply_to_not_allowed");
            List<ConsumerRecord<byte[], byte[]>> onA = h.read(replyA, 1, Duration.ofSeconds(60));
            List<ConsumerRecord<byte[], byte[]>> onB = h.read(replyB, 1, Duration.ofSeconds(30));
            assertThat(onA).as("only team A's own query answered on A's topic").hasSize(1)
                    .allSatisfy(r -> assertThat(header(r, "sender")).isEqualTo("a"));
            assertThat(onB).hasSize(1).allSatisfy(r -> assertThat(header(r, "sender")).isEqualTo("b"));
            assertThat(json(onA.get(0)).path("id").asText()).isEqualTo(json(onB.get(0)).path("id").asText())
                    .isEqualTo("order-1");
            assertThat(h.read(h.topics.answers(), 1, Duration.ofSeconds(2))).isEmpty();
        }
    }

    private static void send(RouterHarness h, String topic, String id, String replyTo, String sender) {
        h.io.send(topic, id, "{\"id\":\"" + id + "\",\"prompt\":\"hi\",\"reply_to\":\"" + replyTo + "\"}",
                new RecordHeader("sender", sender.getBytes(StandardCharsets.UTF_8)));
    }
}
