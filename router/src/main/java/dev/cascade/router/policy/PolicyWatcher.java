package dev.cascade.router.policy;

import dev.cascade.router.cascade.PolicyParser;
import dev.cascade.router.cascade.RoutePolicy;
import dev.cascade.router.cascade.RouteTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
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
 * The live routing table: the config topic read as a global table. Every router instance reads every partition of
 * the compacted topic from the beginning (no consumer group) on its own thread and applies each record in order: a
 * valid policy replaces the route's, a tombstone removes it, an invalid record changes nothing (the last good policy
 * stays). Routes of the deployment file apply where the topic has none.
 *
 * <p>Resolution: the named route, else {@value RouteTable#DEFAULT}; null when neither exists. Thread-safe: the
 * watcher thread writes, stream threads read.
 */
public final class PolicyWatcher implements RouteTable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyWatcher.class);

    /** Told of every applied or refused record: (route, null) when accepted, (route, reason) when refused. */
    public interface Listener extends BiConsumer<String, String> {
    }

    private final Map<String, RoutePolicy> fileRoutes;
    private final Map<String, RoutePolicy> live = new ConcurrentHashMap<>();
    private final PolicyParser parser;
    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Listener listener;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;

    public PolicyWatcher(Map<String, Object> kafka, String topic, PolicyParser parser,
                         Map<String, RoutePolicy> fileRoutes, Listener listener) {
        Map<String, Object> props = new java.util.HashMap<>(kafka);
        props.keySet().removeIf(k -> !ConsumerConfig.configNames().contains(k));
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "cascade-policy-watcher");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.parser = parser;
        this.fileRoutes = Map.copyOf(fileRoutes);
        this.listener = listener;
        this.thread = new Thread(this::run, "policy-watcher");
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

    /** The exception the watcher thread died with, if any. */
    public Throwable failure() {
        return failure.get();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("config topic " + topic + " does not exist");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    apply(r);
                }
                if (caughtUp.getCount() > 0 && end.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    LOG.info("routing policies loaded from {}: {}", topic, live.keySet());
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure.set(e);
            }
        } catch (RuntimeException e) {
            LOG.error("policy watcher failed; routing keeps the policies it has", e);
            failure.set(e);
            caughtUp.countDown();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    void apply(ConsumerRecord<String, byte[]> r) {
        String route = r.key();
        if (r.value() == null && route != null) {
            live.remove(route);
            listener.accept(route, null);
            return;
        }
        PolicyParser.Result result = parser.parse(route, r.value());
        if (result instanceof PolicyParser.Result.Valid v) {
            live.put(route, v.policy());
            listener.accept(route, null);
        } else {
            listener.accept(route, ((PolicyParser.Result.Invalid) result).reason());
        }
    }

    @Override
    public RoutePolicy resolve(String route) {
        RoutePolicy named = route == null ? null : lookup(route);
        return named != null ? named : lookup(DEFAULT);
    }

    private RoutePolicy lookup(String route) {
        RoutePolicy p = live.get(route);
        return p != null ? p : fileRoutes.get(route);
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
