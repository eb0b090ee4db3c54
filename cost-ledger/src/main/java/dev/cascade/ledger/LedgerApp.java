package dev.cascade.ledger;

import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.metrics.LedgerMetrics;
import dev.cascade.ledger.pricing.PricingValidator;
import dev.cascade.ledger.pricing.TierPrice;
import dev.cascade.live.LiveTable;
import dev.cascade.ledger.query.LedgerQueries;
import dev.cascade.ledger.topology.LedgerTopology;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the ledger runs: loads live pricing before processing, runs Kafka Streams with its topology, records fatal
 * errors and shuts the client down on them.
 */
public final class LedgerApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerApp.class);

    private static final Duration PRICING_LOAD_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaStreams streams;
    private final LedgerQueries queries;
    private final LiveTable<TierPrice> livePricing;
    private final Map<String, TierPrice> filePricing;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public LedgerApp(LedgerConfig config, LedgerMetrics metrics) {
        Properties props = new Properties();
        props.put("commit.interval.ms", "200");
        props.put("processing.exception.handler.global.enabled", "true");
        props.putAll(config.kafka());
        this.filePricing = Map.copyOf(config.pricing());
        this.livePricing = new LiveTable<>(config.kafka(), config.topics().pricing(),
                new PricingValidator(config.referenceTier()), (tier, rejection) -> {
                    if (rejection != null) {
                        LOG.debug("pricing of '{}' refused by the live table: {}", tier, rejection);
                    }
                });
        this.streams = new KafkaStreams(LedgerTopology.build(config, metrics), props);
        this.queries = new LedgerQueries(streams, HostInfo.buildFromEndpoint(config.kafka().get("application.server")),
                config.bearerToken());
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; shutting the ledger down", e);
            failure.compareAndSet(null, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
    }

    /** Loads the live pricing (the pricing topic up to its current end), then starts processing. */
    public void start() throws InterruptedException {
        livePricing.start();
        if (!livePricing.awaitCaughtUp(PRICING_LOAD_TIMEOUT)) {
            throw new IllegalStateException("pricing not loaded within " + PRICING_LOAD_TIMEOUT);
        }
        streams.start();
    }

    /** Pricing in effect: the pricing topic's records over the config file's. */
    public Map<String, TierPrice> pricing() {
        Map<String, TierPrice> out = new LinkedHashMap<>(filePricing);
        out.putAll(livePricing.snapshot());
        return out;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public LedgerQueries queries() {
        return queries;
    }

    public Throwable failure() {
        Throwable f = failure.get();
        return f != null ? f : livePricing.failure();
    }

    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        livePricing.close();
        stopped.countDown();
    }
}
