package dev.cascade.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Everything a router wrote to Kafka, as text: for tests that look for what must never be there. */
final class TopicScan {
    private TopicScan() {
    }

    /** The harness's output topics and every internal topic of its application (changelogs). */
    static Set<String> routerTopics(RouterHarness h) throws Exception {
        Set<String> topics = new TreeSet<>(List.of(h.topics.answers(), h.topics.attempts(), h.topics.dlq(),
                h.topics.shadow(), h.topics.configStatus()));
        h.broker.admin().listTopics().names().get().stream().filter(t -> t.startsWith(h.appId)).forEach(topics::add);
        assertThat(topics).as("changelog topics scanned too").anyMatch(t -> t.endsWith("-changelog"));
        return topics;
    }

    /** Keys, values and headers of every record written to {@code topics}, aborted transactions included. */
    static String scan(RouterHarness h, Set<String> topics) {
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, h.broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            topics.forEach(t -> consumer.partitionsFor(t).forEach(p -> partitions.add(
                    new TopicPartition(p.topic(), p.partition()))));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("topics read to their end").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.topic() + " " + text(r.key()));
                    seen.add(text(r.value()));
                    for (Header header : r.headers()) {
                        seen.add(header.key() + "=" + text(header.value()));
                    }
                }
            }
        }
        return String.join("\n", seen);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
