package dev.cascade.router;

import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.live.LiveTable;
import dev.cascade.core.RoutePolicy;
import dev.cascade.router.policy.LivePolicies;
import dev.cascade.router.policy.PolicyValidator;
import dev.cascade.router.processor.ReplyTopics;
import dev.cascade.router.tier.Tiers;
import dev.cascade.router.topology.RouterTopology;
import dev.cascade.service.LiveTablePrerequisite;
import dev.cascade.service.StreamsRunner;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the router runs: its topology over the live routing policies, which are loaded from the config topic before
 * routing anything. How it runs (start, fatal errors, ordered stop) is the {@link StreamsRunner}'s. Thread-safe.
 */
public final class RouterApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouterApp.class);
    private static final Duration POLICY_LOAD_TIMEOUT = Duration.ofSeconds(60);

    private final StreamsRunner runner;
    private final Admin admin;

    public RouterApp(RouterConfig config, Tiers tiers, RouterMetrics metrics) {
        Properties props = new Properties();
        props.putAll(config.streamsProperties());
        LiveTable<RoutePolicy> policies = new LiveTable<>(config.streamsProperties(), config.topics().config(),
                new PolicyValidator(config.policyParser()), (route, rejection) -> {
                    metrics.policyApplied(rejection == null);
                    if (rejection != null) {
                        LOG.debug("route '{}': config record refused by the live table: {}", route, rejection);
                    }
                });
        // reply topics are looked up with a client of their own, off the stream threads
        this.admin = Admin.create(config.adminProperties("reply-topics"));
        this.runner = StreamsRunner.of("router", RouterTopology.build(config, new LivePolicies(policies,
                        config.routes()), tiers, metrics, ReplyTopics.using(admin)), props,
                List.of(new LiveTablePrerequisite(policies, "routing policies", POLICY_LOAD_TIMEOUT)));
    }

    /** Loads the routing policies (the config topic up to its current end), then starts processing. */
    public void start() throws InterruptedException {
        runner.start();
    }

    public KafkaStreams streams() {
        return runner.streams();
    }

    public KafkaStreams.State state() {
        return runner.state();
    }

    /** The exception a stream thread (or the policy reader) died with, if any. */
    public Throwable failure() {
        return runner.failure();
    }

    /** Blocks until the client has stopped, then gives the process' exit code (non-zero on a failure). */
    public int awaitExitCode() throws InterruptedException {
        return runner.awaitExitCode();
    }

    @Override
    public void close() {
        runner.close();
        admin.close(Duration.ofSeconds(5));
    }
}
