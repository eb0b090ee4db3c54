package dev.cascade.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The stack's quality judge: publishes a verdict on each answered query to {@code cascade.feedback}, as a user or an
 * evaluation job would, so the ledger measures accuracy. The demo's verdict is the simulator's mark in the answer
 * text; a replay's is the recorded correctness of the serving model.
 */
final class Judge implements Consumer<JsonNode>, AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Function<JsonNode, Boolean> verdict;
    final AtomicLong published = new AtomicLong();

    Judge(String bootstrap, String topic) {
        this(bootstrap, topic, Judge::simulatorMark);
    }

    /** @param verdict right or wrong for an answer event, or null when there is nothing to judge */
    Judge(String bootstrap, String topic, Function<JsonNode, Boolean> verdict) {
        this.verdict = verdict;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    static Boolean simulatorMark(JsonNode answer) {
        String content = answer.path("content").asText("");
        return content.contains("(correct)") ? Boolean.TRUE : content.contains("(wrong)") ? Boolean.FALSE : null;
    }

    @Override
    public void accept(JsonNode answer) {
        Boolean right = answer.path("status").asText().equals("ANSWERED") ? verdict.apply(answer) : null;
        if (right == null) {
            return;
        }
        String id = answer.path("id").asText();
        String value = "{\"query_id\":\"" + id.replace("\"", "") + "\",\"correct\":" + right + "}";
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
