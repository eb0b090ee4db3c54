package dev.cascade.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The demo's quality judge: the simulator marks each answer right or wrong in its text, and the judge publishes
 * that verdict to {@code cascade.feedback}, as a user or an evaluation job would, so the ledger measures accuracy.
 */
final class Judge implements Consumer<JsonNode>, AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    final AtomicLong published = new AtomicLong();

    Judge(String bootstrap, String topic) {
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    @Override
    public void accept(JsonNode answer) {
        String content = answer.path("content").asText("");
        if (!answer.path("status").asText().equals("ANSWERED")
                || !(content.contains("(correct)") || content.contains("(wrong)"))) {
            return;
        }
        String id = answer.path("id").asText();
        String value = "{\"query_id\":\"" + id.replace("\"", "") + "\",\"correct\":" + content.contains("(correct)")
                + "}";
        producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)), (md, e) -> {
                    if (e != null) {
                        System.err.println("could not publish feedback for " + id + ": " + e.getMessage());
                    }
                });
        published.incrementAndGet();
    }

    @Override
    public void close() {
        producer.close();
    }
}
