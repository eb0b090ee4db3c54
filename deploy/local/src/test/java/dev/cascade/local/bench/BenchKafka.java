package dev.cascade.local.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producing and counting helpers of the benchmarks. */
final class BenchKafka {
    private BenchKafka() {
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 262_144),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Publishes {@code n} queries of about 1 KiB. */
    static void publishQueries(String bootstrap, String topic, String prefix, int n) {
        String padding = "x".repeat(900);
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            for (int i = 0; i < n; i++) {
                String id = prefix + i;
                p.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), ("{\"id\":\"" + id
                        + "\",\"prompt\":\"question " + i + " " + padding + "\"}").getBytes(StandardCharsets.UTF_8)));
            }
            p.flush();
        }
    }

    /** Reads {@code topic} from the beginning (read_committed) until {@code n} records arrived; returns nanoTime. */
    static long awaitCount(String bootstrap, String topic, int n, Duration timeout,
                           Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            int seen = 0;
            while (seen < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + seen + " of " + n + " records on " + topic);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
                    seen++;
                    each.accept(r);
                }
            }
            return System.nanoTime();
        }
    }
}
