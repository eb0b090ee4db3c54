package dev.cascade.router.it;

import dev.cascade.events.DeadLetterHeaders;
import static dev.cascade.router.it.KafkaIO.header;
import static dev.cascade.router.it.KafkaIO.text;
import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.router.processor.CascadeProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/** The public contract of the queries topic: reply_to, headers, and bad input to the DLQ, byte for byte. */
class QueryContractIntegrationTest {

    @Test
    void shouldAnswerOnAllowedReplyToTopicWithHeadersCopied() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            String reply = "a-" + h.appId.substring(h.appId.length() - 8) + "-reply";
            h.broker.createTopics(1, List.of(reply));
            String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
            h.io.send(h.topics.queries(), "q-reply", "{\"id\":\"q-reply\",\"prompt\":\"hello\",\"reply_to\":\""
                            + reply + "\",\"tenant\":\"acme\",\"metadata\":{\"app\":\"demo\"}}",
                    new RecordHeader("traceparent", traceparent.getBytes(StandardCharsets.UTF_8)),
                    new RecordHeader("correlation-id", "corr-42".getBytes(StandardCharsets.UTF_8)));
            List<ConsumerRecord<byte[], byte[]>> answers = h.read(reply, 1, Duration.ofSeconds(60));
            assertThat(answers).hasSize(1);
            ConsumerRecord<byte[], byte[]> a = answers.get(0);
            assertThat(text(a.key())).isEqualTo("q-reply");
            assertThat(json(a).path("status").asText()).isEqualTo("ANSWERED");
            assertThat(header(a, "traceparent")).isEqualTo(traceparent);
            assertThat(header(a, "correlation-id")).isEqualTo("corr-42");
            // nothing on the default answers topic for it
            assertThat(h.read(h.topics.answers(), 1, Duration.ofSeconds(2))).isEmpty();
        }
    }

    @Test
    void shouldRefuseReplyToOutsideAllowList() {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            String value = "{\"id\":\"q-bad-reply\",\"prompt\":\"hi\",\"reply_to\":\"" + h.topics.attempts() + "\"}";
            h.io.send(h.topics.queries(), "q-bad-reply", value);
            List<ConsumerRecord<byte[], byte[]>> dlq = h.read(h.topics.dlq(), 1, Duration.ofSeconds(60));
            assertThat(dlq).hasSize(1);
            assertThat(text(dlq.get(0).value())).isEqualTo(value);
            assertThat(header(dlq.get(0), DeadLetterHeaders.REASON)).isEqualTo("reply_to_not_allowed");
            assertThat(h.simulator.requests("small-model")).isZero();
        }
    }

    @Test
    void shouldSendEveryMalformedInputToDlqUnchangedWhileAnsweringValidOnes() {
        try (RouterHarness h = new RouterHarness(doc -> doc.put("router", new java.util.LinkedHashMap<>(Map.of(
                "admin_port", 0, "max_query_bytes", 4096)))).start()) {
            Map<String, String> bad = new java.util.LinkedHashMap<>();
            bad.put("bad-not-json", "this is not json");
            bad.put("bad-truncated", "{\"id\":\"x\",\"prompt\":");
            bad.put("bad-array", "[1,2,3]");
            bad.put("bad-no-id", "{\"prompt\":\"hello\"}");
            bad.put("bad-number-id", "{\"id\":7,\"prompt\":\"hello\"}");
            bad.put("bad-empty-messages", "{\"id\":\"e\",\"messages\":[]}");
            bad.put("bad-typed-messages", "{\"id\":\"t\",\"messages\":\"hello\"}");
            bad.put("bad-role", "{\"id\":\"r\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}");
            bad.put("bad-too-large", "{\"id\":\"big\",\"prompt\":\"" + "x".repeat(5000) + "\"}");
            bad.put("bad-deep", "{\"id\":\"d\",\"prompt\":\"p\",\"metadata\":" + "[".repeat(500)
                    + "]".repeat(500) + "}");
            bad.put("bad-unknown-field", "{\"id\":\"u\",\"prompt\":\"p\",\"priority\":1}");
            bad.put("bad-max-tokens", "{\"id\":\"m\",\"prompt\":\"p\",\"max_tokens\":\"many\"}");
            bad.put("bad-empty", "");
            List<String> validIds = new ArrayList<>();
            int i = 0;
            for (Map.Entry<String, String> e : bad.entrySet()) {
                h.io.send(h.topics.queries(), e.getKey(), e.getValue());
                String id = "valid-" + i++;
                validIds.add(id);
                h.query(id, null, "valid question " + id);
            }
            byte[] binary = new byte[]{(byte) 0xff, 0x00, (byte) 0xfe, 0x7f};
            h.io.send(h.topics.queries(), "bad-binary".getBytes(StandardCharsets.UTF_8), binary);

            List<ConsumerRecord<byte[], byte[]>> dlq = h.read(h.topics.dlq(), bad.size() + 1, Duration.ofSeconds(60));
            assertThat(dlq).hasSize(bad.size() + 1);
            Map<String, ConsumerRecord<byte[], byte[]>> byKey = dlq.stream()
                    .collect(Collectors.toMap(r -> text(r.key()), r -> r));
            for (Map.Entry<String, String> e : bad.entrySet()) {
                ConsumerRecord<byte[], byte[]> r = byKey.get(e.getKey());
                assertThat(r).as(e.getKey()).isNotNull();
                assertThat(text(r.value())).as(e.getKey()).isEqualTo(e.getValue());
                assertThat(header(r, DeadLetterHeaders.REASON)).as(e.getKey()).isNotBlank();
                assertThat(header(r, DeadLetterHeaders.DETAIL)).as(e.getKey()).isNotBlank();
                assertThat(header(r, DeadLetterHeaders.TOPIC)).isEqualTo(h.topics.queries());
            }
            assertThat(Arrays.equals(byKey.get("bad-binary").value(), binary)).isTrue();
            assertThat(header(byKey.get("bad-not-json"), DeadLetterHeaders.REASON)).isEqualTo("not_json");
            assertThat(header(byKey.get("bad-no-id"), DeadLetterHeaders.REASON)).isEqualTo("missing_id");
            assertThat(header(byKey.get("bad-empty-messages"), DeadLetterHeaders.REASON))
                    .isEqualTo("invalid_messages");
            assertThat(header(byKey.get("bad-too-large"), DeadLetterHeaders.REASON)).isEqualTo("too_large");
            assertThat(header(byKey.get("bad-deep"), DeadLetterHeaders.REASON)).isEqualTo("not_json");
            assertThat(header(byKey.get("bad-empty"), DeadLetterHeaders.REASON)).isEqualTo("empty_value");

            List<ConsumerRecord<byte[], byte[]>> answers = h.answers(validIds.size());
            assertThat(answers.stream().map(r -> json(r).path("id").asText()).toList())
                    .containsExactlyInAnyOrderElementsOf(validIds);
            assertThat(h.app.failure()).isNull();
        }
    }
}
