package dev.cascade.router;

import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.live.LiveTable;
import dev.cascade.core.RoutePolicy;
import dev.cascade.router.policy.LivePolicies;
import dev.cascade.router.policy.PolicyValidator;
import dev.cascade.router.tier.Tiers;
import dev.cascade.router.topology.RouterTopology;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the router runs (its topology says what it is): loads the live routing policies from the config topic before
 * routing anything, starts Kafka Streams, records the exception a stream thread died with and shuts the client down
 * on it, and stops in order. Thread-safe.
 */
public final class RouterApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterApp.class);
    private static final Duration POLICY_LOAD_TIMEOUT = Duration.ofSeconds(60);

    private final LiveTable<RoutePolicy> policies;
    private final KafkaStreams streams;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public RouterApp(RouterConfig config, Tiers tiers, RouterMetrics metrics) {
        Properties props = new Properties();
        props.putAll(config.streamsProperties());
        this.policies = new LiveTable<>(config.streamsProperties(), config.topics().config(),
                new PolicyValidator(config.policyParser()), (route, rejection) -> {
                    metrics.policyApplied(rejection == null);
                    if (rejection != null) {
                        LOG.debug("route '{}': config record refused by the live table: {}", route, rejection);
                    }
                });
        this.streams = new KafkaStreams(RouterTopology.build(config, new LivePolicies(policies, config.routes()),
                tiers, metrics), props);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; shutting the router down", e);
            failure.compareAndSet(null, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
    }

    /** Loads the routing policies (the config topic up to its current end), then starts processing. */
    public void start() throws InterruptedException {
        policies.start();
        if (!policies.awaitCaughtUp(POLICY_LOAD_TIMEOUT)) {
            throw new IllegalStateException("routing policies not loaded within " + POLICY_LOAD_TIMEOUT);
        }
        if (policies.failure() != null) {
            throw new IllegalStateException("cannot read routing policies", policies.failure());
        }
        streams.start();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The exception a stream thread (or the policy reader) died with, if any. */
    public Throwable failure() {
        Throwable f = failure.get();
        return f != null ? f : policies.failure();
    }

    /** Blocks until the client has stopped (after {@link #close()} or a fatal error). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        policies.close();
        stopped.countDown();
    }
}
