package dev.cascade.gateway.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a topic from its end (read_committed, every partition assigned, no consumer group) on one thread of its own
 * and hands each record to a callback: this instance's reply topic, and the router's dead-letter topic. {@link #start}
 * creates the topic if asked and positions the consumer at the end before returning, so no record written after it
 * can be missed; records written before (answers to requests of an earlier life of this instance, which died with
 * it) are skipped. The callback runs on the reading thread and must not block. Start and close from one thread.
 */
public final class TopicTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicTail.class);
    private static final long REPLY_RETENTION_MS = Duration.ofDays(1).toMillis();

    private final Map<String, String> kafka;
    private final String topic;
    private final boolean create;
    private final Consumer<ConsumerRecord<byte[], byte[]>> onRecord;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Throwable failure;
    private volatile boolean closing;

    /** @param create whether to create the topic (this instance's reply topic) when it does not exist */
    public TopicTail(Map<String, String> kafka, String topic, boolean create,
                     Consumer<ConsumerRecord<byte[], byte[]>> onRecord) {
        this.kafka = kafka;
        this.topic = topic;
        this.create = create;
        this.onRecord = onRecord;
    }

    /** Creates the topic if asked and absent, positions at its end, then reads on a new thread. */
    public void start(Duration timeout) throws InterruptedException {
        if (create) {
            createTopic(timeout);
        }
        Map<String, Object> props = new HashMap<>(KafkaSettings.only(kafka, ConsumerConfig.configNames()));
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-tail-" + topic);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = partitions(c, timeout);
        c.assign(partitions);
        c.seekToEnd(partitions);
        partitions.forEach(p -> c.position(p, timeout));
        consumer = c;
        Thread thread = new Thread(this::run, "gateway-tail-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** The topic's partitions; a topic just created may take a moment to show in the consumer's metadata. */
    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<TopicPartition> partitions = c.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (System.nanoTime() > deadline) {
                c.close();
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            Thread.sleep(100);
        }
    }

    private void createTopic(Duration timeout) throws InterruptedException {
        Map<String, Object> props = KafkaSettings.only(kafka, AdminClientConfig.configNames());
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1)
                            .configs(Map.of("retention.ms", Long.toString(REPLY_RETENTION_MS)))))
                    .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the reply topic " + topic + ": " + e.getCause(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("the broker did not create the reply topic " + topic + " within "
                    + timeout, e);
        }
    }

    private void run() {
        try {
            while (!closing) {
                consumer.poll(Duration.ofMillis(500)).forEach(onRecord);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
            LOG.error("reading {} failed; this gateway is no longer live", topic, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    /** The error the reading thread died with, if any: the gateway is then not live. */
    public Throwable failure() {
        return failure;
    }

    public String topic() {
        return topic;
    }

    @Override
    public void close() {
        closing = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
            try {
                stopped.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
