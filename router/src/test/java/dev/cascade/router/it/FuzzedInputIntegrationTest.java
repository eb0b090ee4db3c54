package dev.cascade.router.it;

import static dev.cascade.router.it.KafkaIO.text;
import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * 10,000 fuzzed inputs (random bytes, broken and deeply nested JSON, huge fields, wrong types, broken UTF-8,
 * unpaired surrogates, unknown fields) mixed with valid
 * queries full of odd Unicode: every bad input lands on the DLQ, every valid query is answered, the router stays up.
 */
class FuzzedInputIntegrationTest {
    private static final String[] ODD = {"\u202eevil\u202c", "zero\u200bwidth", "\ud83d\ude80 rocket", "\u0000nul",
            "ß Straße İstanbul", "\u05e9\u05dc\u05d5\u05dd", "e\u0301\u0301\u0301", "\\\"quoted\\\"", "tab\there",
            "\u4f60\u597d"};

    @Test
    void shouldDeadLetterEveryBadInputAndAnswerEveryValidOne() throws Exception {
        try (RouterHarness h = new RouterHarness(doc -> doc.put("router", new java.util.LinkedHashMap<>(Map.of(
                "admin_port", 0, "max_query_bytes", 65_536)))).start()) {
            Random random = new Random(42);
            Set<String> valid = new HashSet<>();
            int bad = 0;
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                    h.broker.bootstrapServers(), "linger.ms", 5), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 10_000; i++) {
                    byte[] value = fuzz(random, i);
                    p.send(new ProducerRecord<>(h.topics.queries(), ("fuzz-" + i).getBytes(StandardCharsets.UTF_8),
                            value));
                    bad++;
                    if (i % 50 == 0) {
                        String id = "valid-" + i;
                        valid.add(id);
                        String content = ODD[(i / 50) % ODD.length] + " " + i;
                        p.send(new ProducerRecord<>(h.topics.queries(), id.getBytes(StandardCharsets.UTF_8),
                                ("{\"id\":\"" + id + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
                                        + content.replace("\u0000", "\\u0000").replace("\t", "\\t") + "\"}]}")
                                        .getBytes(StandardCharsets.UTF_8)));
                    }
                }
            }
            int expectedBad = bad;
            List<ConsumerRecord<byte[], byte[]>> dlq = h.io.readUntil(h.topics.dlq(), rs -> rs.size() >= expectedBad,
                    Duration.ofSeconds(180), Duration.ofSeconds(1));
            assertThat(dlq).hasSize(expectedBad);
            assertThat(dlq).allSatisfy(r -> assertThat(text(r.key())).startsWith("fuzz-"));
            List<ConsumerRecord<byte[], byte[]>> answers = h.io.readUntil(h.topics.answers(),
                    rs -> rs.size() >= valid.size(), Duration.ofSeconds(120), Duration.ofSeconds(1));
            Set<String> answered = new HashSet<>();
            answers.forEach(r -> answered.add(json(r).path("id").asText()));
            assertThat(answered).isEqualTo(valid);
            assertThat(answers).allSatisfy(r -> assertThat(json(r).path("status").asText()).isEqualTo("ANSWERED"));
            assertThat(h.app.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(h.app.failure()).isNull();
        }
    }

    /** One input that is never a valid query, of one of several kinds. */
    static byte[] fuzz(Random random, int i) {
        switch (i % 9) {
            case 0 -> {
                byte[] b = new byte[1 + random.nextInt(200)];
                random.nextBytes(b);
                b[0] = (byte) '#';
                return b;
            }
            case 1 -> {
                String full = "{\"id\":\"t" + i + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
                return full.substring(0, 1 + random.nextInt(full.length() - 1)).getBytes(StandardCharsets.UTF_8);
            }
            case 2 -> {
                int depth = 65 + random.nextInt(2000);
                return ("{\"id\":\"d" + i + "\",\"prompt\":\"p\",\"metadata\":" + "[".repeat(depth) + "]".repeat(depth)
                        + "}").getBytes(StandardCharsets.UTF_8);
            }
            case 3 -> {
                return ("{\"id\":\"h" + i + "\",\"prompt\":\"" + "z".repeat(70_000 + random.nextInt(100_000)) + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 4 -> {
                String[] wrong = {"{\"id\":" + i + ",\"prompt\":\"p\"}", "{\"id\":\"w" + i + "\",\"messages\":{}}",
                        "{\"id\":\"w" + i + "\",\"prompt\":42}", "{\"id\":\"w" + i + "\",\"prompt\":\"p\",\"max_tokens\":"
                        + "-1}", "{\"id\":null,\"prompt\":\"p\"}", "{\"id\":[\"x\"],\"prompt\":\"p\"}",
                        "{\"id\":\"w" + i + "\",\"messages\":[{\"role\":\"user\",\"content\":[1]}]}"};
                return wrong[random.nextInt(wrong.length)].getBytes(StandardCharsets.UTF_8);
            }
            case 5 -> {
                return new byte[0];
            }
            case 6 -> {
                byte[] b = ("{\"id\":\"u" + i + "\",\"prompt\":\"\u00e9\"}").getBytes(StandardCharsets.UTF_8);
                byte[] broken = new byte[b.length];
                System.arraycopy(b, 0, broken, 0, b.length);
                broken[broken.length - 4] = (byte) 0xC3; // a UTF-8 lead byte with no continuation
                broken[broken.length - 3] = (byte) '"';
                return broken;
            }
            case 7 -> {
                return ("{\"id\":\"s" + i + "\",\"prompt\":\"half a pair \\ud83d here\"}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                return ("{\"id\":\"x" + i + "\",\"prompt\":\"p\",\"" + new String(new char[]{(char) ('a'
                        + random.nextInt(26))}) + "unknown\":true}").getBytes(StandardCharsets.UTF_8);
            }
        }
    }

}
