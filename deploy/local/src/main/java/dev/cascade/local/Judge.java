package dev.cascade.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The stack's quality judge: publishes a verdict on each answered query to {@code cascade.feedback}, as a user or an
 * evaluation job would, so the ledger measures accuracy; and a verdict on every tier's answer of each shadow record
 * (feedback with {@code "tier"}), so it can pair the served answer with the reference's. The demo's verdict is the
 * simulator's mark in the answer text; a replay's is the recorded correctness of the model that gave the answer.
 */
final class Judge implements AutoCloseable {
    /** Right or wrong for one tier's answer to a query, or null when there is nothing to judge. */
    @FunctionalInterface
    interface Verdicts {
        Boolean of(String queryId, String tier, String answer);
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Verdicts verdicts;
    final AtomicLong published = new AtomicLong();
    /** Served answers judged (feedback without a tier). */
    final AtomicLong answersJudged = new AtomicLong();
    /** Shadow records whose every answer was judged. */
    final AtomicLong shadowsJudged = new AtomicLong();

    Judge(String bootstrap, String topic) {
        this(bootstrap, topic, (id, tier, answer) -> simulatorMark(answer));
    }

    Judge(String bootstrap, String topic, Verdicts verdicts) {
        this.verdicts = verdicts;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    static Boolean simulatorMark(String content) {
        String c = content == null ? "" : content;
        return c.contains("(correct)") ? Boolean.TRUE : c.contains("(wrong)") ? Boolean.FALSE : null;
    }

    /** Judges the served answer of an answer event (feedback without a tier). */
    void acceptAnswer(JsonNode answer) {
        if (!answer.path("status").asText().equals("ANSWERED")) {
            return;
        }
        String id = answer.path("id").asText();
        if (publish(id, null, verdicts.of(id, answer.path("tier").asText(), answer.path("content").asText("")))) {
            answersJudged.incrementAndGet();
        }
    }

    /** Judges every tier's answer of a shadow record (feedback naming the tier). */
    void acceptShadow(JsonNode shadow) {
        String id = shadow.path("id").asText();
        boolean all = true;
        for (Iterator<Map.Entry<String, JsonNode>> it = shadow.path("outcomes").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> o = it.next();
            all &= publish(id, o.getKey(), verdicts.of(id, o.getKey(), o.getValue().path("answer").asText("")));
        }
        if (all) {
            shadowsJudged.incrementAndGet();
        }
    }

    private boolean publish(String id, String tier, Boolean right) {
        if (right == null) {
            return false;
        }
        String value = "{\"query_id\":\"" + id.replace("\"", "") + "\",\"correct\":" + right
                + (tier == null ? "" : ",\"tier\":\"" + tier.replace("\"", "") + "\"") + "}";
        producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)), (md, e) -> {
                    if (e != null) {
                        System.err.println("could not publish feedback for " + id + ": " + e.getMessage());
                    }
                });
        published.incrementAndGet();
        return true;
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
