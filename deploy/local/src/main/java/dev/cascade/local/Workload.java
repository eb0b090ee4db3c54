package dev.cascade.local;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes queries at a steady rate (the demo's made-up questions, or a replay file's): send failures are counted
 * and reported, never dropped silently.
 */
final class Workload implements Runnable {
    private static final List<String> TOPICS = List.of("the capital of a country", "a unit conversion",
            "a chemistry fact", "the plot of a novel", "a tax rule", "an SQL query", "a medical term",
            "a historical date", "a physics formula", "a kubernetes error");

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final IntFunction<String> ids;
    private final IntFunction<String> values;
    private final int queries;
    private final double rate;
    final AtomicInteger published = new AtomicInteger();
    final AtomicInteger sendErrors = new AtomicInteger();

    Workload(String bootstrap, String topic, String runId, int queries, double rate) {
        this(bootstrap, topic, queries, rate, i -> "demo-" + runId + "-" + i,
                i -> demoQuery("demo-" + runId + "-" + i, i));
    }

    /** @param values the query JSON of the i-th query */
    Workload(String bootstrap, String topic, int queries, double rate, IntFunction<String> ids,
             IntFunction<String> values) {
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.ids = ids;
        this.values = values;
        this.queries = queries;
        this.rate = rate;
    }

    private static String demoQuery(String id, int i) {
        return "{\"id\":\"" + id + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Demo question " + i
                + " about " + TOPICS.get(i % TOPICS.size()) + "\"}],\"metadata\":{\"source\":\"demo\"}}";
    }

    String id(int i) {
        return ids.apply(i);
    }

    @Override
    public void run() {
        long start = System.nanoTime();
        try {
            for (int i = 0; i < queries && !Thread.currentThread().isInterrupted(); i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String id = id(i);
                String value = values.apply(i);
                producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8)), (md, e) -> {
                            if (e != null) {
                                sendErrors.incrementAndGet();
                                System.err.println("could not publish " + id + ": " + e.getMessage());
                            }
                        });
                published.incrementAndGet();
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producer.close();
        }
    }
}
