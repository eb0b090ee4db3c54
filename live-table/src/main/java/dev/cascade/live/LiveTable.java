package dev.cascade.live;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compacted settings topic read as a global table: every instance reads every partition from the beginning (no
 * consumer group) on its own thread and applies each record in order. A valid value replaces the key's, a tombstone
 * removes it, an invalid record changes nothing (the last good value stays).
 *
 * <p>Kafka Streams' global stores are not used: a global store restored after a restart copies the topic's bytes
 * without the validating processor, which could bring back a record that had been rejected.
 *
 * <p>Thread-safe: the reader thread writes, any thread reads.
 */
public final class LiveTable<V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveTable.class);

    /** Told of every record: (key, null) when applied, (key, reason) when refused. Called on the reader thread. */
    public interface Listener {
        void applied(String key, String rejection);
    }

    private final Map<String, V> values = new ConcurrentHashMap<>();
    private final RecordValidator<V> validator;
    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Listener listener;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;

    /**
     * @param kafka client settings; those a consumer does not know are dropped, a group id is never used
     */
    public LiveTable(Map<String, ?> kafka, String topic, RecordValidator<V> validator, Listener listener) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.keySet().removeIf(k -> !ConsumerConfig.configNames().contains(k));
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.CLIENT_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.validator = validator;
        this.listener = listener;
        this.thread = new Thread(this::run, "live-table-" + topic);
        this.thread.setDaemon(true);
    }

    public void start() {
        started = true;
        thread.start();
    }

    /** Waits until every record present at start has been applied; false on time-out. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        boolean done = caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (failure.get() != null) {
            throw new IllegalStateException("reading " + topic + " failed", failure.get());
        }
        return done;
    }

    /** The exception the reader died with, if any (the table then keeps what it has). */
    public Throwable failure() {
        return failure.get();
    }

    public V get(String key) {
        return values.get(key);
    }

    /** A copy of the current values. */
    public Map<String, V> snapshot() {
        return Map.copyOf(values);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    apply(r.key(), r.value());
                }
                if (caughtUp.getCount() > 0 && end.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    LOG.info("{} loaded: {}", topic, values.keySet());
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure.set(e);
            }
        } catch (RuntimeException e) {
            LOG.error("reading {} failed; the table keeps the values it has", topic, e);
            failure.set(e);
            caughtUp.countDown();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Applies one record (the reader thread's work; exposed for tests). */
    void apply(String key, byte[] value) {
        if (key == null) {
            listener.applied(null, "record without a key");
            return;
        }
        if (value == null) {
            values.remove(key);
            listener.applied(key, null);
            return;
        }
        try {
            values.put(key, validator.parse(key, value));
            listener.applied(key, null);
        } catch (InvalidRecordException e) {
            listener.applied(key, e.getMessage());
        }
    }

    @Override
    public void close() {
        running = false;
        if (!started) {
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
