package dev.cascade.ledger;

import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.metrics.LedgerMetrics;
import dev.cascade.ledger.query.LedgerQueries;
import dev.cascade.ledger.topology.LedgerTopology;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the ledger runs: Kafka Streams with its topology, fatal errors recorded and the client shut down on them. */
public final class LedgerApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerApp.class);

    private final KafkaStreams streams;
    private final LedgerQueries queries;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public LedgerApp(LedgerConfig config, LedgerMetrics metrics) {
        Properties props = new Properties();
        props.put("commit.interval.ms", "200");
        props.putAll(config.kafka());
        this.streams = new KafkaStreams(LedgerTopology.build(config, metrics), props);
        this.queries = new LedgerQueries(streams, HostInfo.buildFromEndpoint(config.kafka().get("application.server")));
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

    public void start() {
        streams.start();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public LedgerQueries queries() {
        return queries;
    }

    public Throwable failure() {
        return failure.get();
    }

    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        stopped.countDown();
    }
}
