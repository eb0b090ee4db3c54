package dev.cascade.live;

import static dev.cascade.live.ThresholdValidator.threshold;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.kafka.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LiveTable} reading a topic of a real broker. */
class LiveTableTest {
    private static final Duration LOAD = Duration.ofSeconds(60);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.shared();
    private final List<AutoCloseable> open = new ArrayList<>();

    /** What the listener was told, in order: "key=applied" or "key=rejected: reason". */
    private final List<String> told = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private String newTopic(int partitions) {
        String topic = "settings-" + TOPICS.incrementAndGet();
        broker.createTopics(partitions, List.of(topic));
        return topic;
    }

    private KafkaProducer<String, byte[]> producer(Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        open.add(producer);
        return producer;
    }

    private void publish(String topic, String key, String value) throws Exception {
        producer(Map.of()).send(new ProducerRecord<>(topic, key,
                value == null ? null : value.getBytes(StandardCharsets.UTF_8))).get();
    }

    private LiveTable<Double> table(String topic, Map<String, Object> extra) {
        Map<String, Object> kafka = new HashMap<>(extra);
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        LiveTable<Double> table = new LiveTable<>(kafka, topic, new ThresholdValidator(),
                (key, rejection) -> told.add(key + (rejection == null ? "=applied" : "=rejected: " + rejection)));
        open.add(0, table);
        return table;
    }

    private LiveTable<Double> loaded(String topic) throws InterruptedException {
        LiveTable<Double> table = table(topic, Map.of());
        table.start();
        assertThat(table.awaitCaughtUp(LOAD)).isTrue();
        return table;
    }

    @Test
    void shouldHoldEveryRecordOfEveryPartitionOnceCaughtUp() throws Exception {
        String topic = newTopic(3);
        for (int i = 0; i < 30; i++) {
            publish(topic, "route-" + i, threshold(i / 100.0));
        }

        LiveTable<Double> table = loaded(topic);

        assertThat(table.snapshot()).hasSize(30);
        assertThat(table.get("route-0")).isEqualTo(0.0);
        assertThat(table.get("route-29")).isEqualTo(0.29);
        assertThat(table.failure()).isNull();
    }

    @Test
    void shouldKeepLastGoodValueWhenRecordIsRejected() throws Exception {
        String topic = newTopic(1);
        publish(topic, "default", threshold(0.3));
        publish(topic, "default", threshold(1.5));

        LiveTable<Double> table = loaded(topic);

        assertThat(table.get("default")).isEqualTo(0.3);
        assertThat(told).containsExactly("default=applied",
                "default=rejected: threshold must be in [0, 1], got 1.5");
    }

    @Test
    void shouldValidateRecordsOfAKeyInTheOrderTheyWerePublished() throws Exception {
        String topic = newTopic(1);
        publish(topic, "default", threshold(0.1));
        publish(topic, "default", "not json");
        publish(topic, "default", threshold(0.4));
        publish(topic, "default", "{}");

        LiveTable<Double> table = loaded(topic);

        assertThat(table.get("default")).isEqualTo(0.4);
        assertThat(told).containsExactly("default=applied", "default=rejected: not JSON", "default=applied",
                "default=rejected: threshold missing");
    }

    @Test
    void shouldRemoveKeyOnTombstoneAndKeepTheOthers() throws Exception {
        String topic = newTopic(1);
        publish(topic, "gone", threshold(0.5));
        publish(topic, "kept", threshold(0.6));
        publish(topic, "gone", null);

        LiveTable<Double> table = loaded(topic);

        assertThat(table.snapshot()).isEqualTo(Map.of("kept", 0.6));
        assertThat(told).containsExactly("gone=applied", "kept=applied", "gone=applied");
    }

    @Test
    void shouldRefuseRecordWithoutAKey() throws Exception {
        String topic = newTopic(1);
        publish(topic, null, threshold(0.5));
        publish(topic, "default", threshold(0.7));

        LiveTable<Double> table = loaded(topic);

        assertThat(table.snapshot()).isEqualTo(Map.of("default", 0.7));
        assertThat(told).containsExactly("null=rejected: record without a key", "default=applied");
    }

    @Test
    void shouldApplyRecordsPublishedAfterItCaughtUp() throws Exception {
        String topic = newTopic(2);
        LiveTable<Double> table = loaded(topic);
        assertThat(table.snapshot()).isEmpty();

        publish(topic, "default", threshold(0.8));
        await().atMost(LOAD).until(() -> Double.valueOf(0.8).equals(table.get("default")));

        publish(topic, "default", threshold(-0.1));
        await().atMost(LOAD).until(() -> told.contains("default=rejected: threshold must be in [0, 1], got -0.1"));
        assertThat(table.get("default")).isEqualTo(0.8);

        publish(topic, "default", null);
        await().atMost(LOAD).until(() -> table.get("default") == null);
    }

    @Test
    void shouldSkipRecordsOfAbortedTransactions() throws Exception {
        String topic = newTopic(1);
        LiveTable<Double> table = loaded(topic);
        KafkaProducer<String, byte[]> tx = producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-tx"));
        tx.initTransactions();

        tx.beginTransaction();
        tx.send(new ProducerRecord<>(topic, "aborted", threshold(0.1).getBytes(StandardCharsets.UTF_8)));
        tx.flush();
        tx.abortTransaction();
        tx.beginTransaction();
        tx.send(new ProducerRecord<>(topic, "committed", threshold(0.2).getBytes(StandardCharsets.UTF_8)));
        tx.commitTransaction();

        await().atMost(LOAD).until(() -> table.get("committed") != null);
        assertThat(table.snapshot()).isEqualTo(Map.of("committed", 0.2));
        assertThat(told).containsExactly("committed=applied");
    }

    @Test
    void shouldReadEveryPartitionInEachInstanceEvenWhenGivenAGroupId() throws Exception {
        String topic = newTopic(3);
        for (int i = 0; i < 12; i++) {
            publish(topic, "route-" + i, threshold(0.5));
        }
        // settings meant for a Streams app: the group id must be ignored and unknown keys dropped
        Map<String, Object> streamsSettings = Map.of(ConsumerConfig.GROUP_ID_CONFIG, "shared-group",
                "application.id", "some-app", "processing.guarantee", "exactly_once_v2");

        LiveTable<Double> first = table(topic, streamsSettings);
        LiveTable<Double> second = table(topic, streamsSettings);
        first.start();
        second.start();

        assertThat(first.awaitCaughtUp(LOAD)).isTrue();
        assertThat(second.awaitCaughtUp(LOAD)).isTrue();
        assertThat(first.snapshot()).hasSize(12);
        assertThat(second.snapshot()).isEqualTo(first.snapshot());
    }

    @Test
    void shouldStopReadingWhenClosed() throws Exception {
        String topic = newTopic(1);
        LiveTable<Double> table = loaded(topic);

        table.close();
        publish(topic, "late", threshold(0.5));

        // a second table proves the record is readable; the closed one never applies it
        LiveTable<Double> other = loaded(topic);
        assertThat(other.get("late")).isEqualTo(0.5);
        assertThat(table.get("late")).isNull();
        assertThat(table.failure()).isNull();
    }
}
