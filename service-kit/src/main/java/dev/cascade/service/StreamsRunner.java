package dev.cascade.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a Kafka Streams service runs (its topology says what it is): starts its {@link Prerequisite}s in order, then
 * Kafka Streams; records the exception a stream thread died with and shuts the client down on it; stops Kafka
 * Streams first and the prerequisites after it, in reverse order. Thread-safe.
 */
public final class StreamsRunner implements AutoCloseable {
    /** Exit code of a service that stopped cleanly. */
    public static final int EXIT_OK = 0;
    /** Exit code of a service that failed: a stream thread or a prerequisite died, or it could not start. */
    public static final int EXIT_FAILED = 1;

    private static final Logger LOG = LoggerFactory.getLogger(StreamsRunner.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final String service;
    private final KafkaStreams streams;
    private final List<Prerequisite> prerequisites;
    private final AtomicBoolean errored = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean reachedRunning = new AtomicBoolean();
    private final CountDownLatch runningOrStopped = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    private StreamsRunner(String service, KafkaStreams streams, List<? extends Prerequisite> prerequisites) {
        this.service = Objects.requireNonNull(service, "service");
        this.streams = Objects.requireNonNull(streams, "streams");
        this.prerequisites = List.copyOf(prerequisites);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; shutting the {} down", service, e);
            failure.compareAndSet(null, e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                reachedRunning.set(true);
                runningOrStopped.countDown();
            } else if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                errored.compareAndSet(false, now == KafkaStreams.State.ERROR);
                markStopped();
            }
        });
    }

    /**
     * A runner of {@code new KafkaStreams(topology, props)}.
     *
     * @param service       the service's name, for log messages ("router")
     * @param prerequisites started before Kafka Streams, in this order
     */
    public static StreamsRunner of(String service, Topology topology, Properties props,
                                   List<? extends Prerequisite> prerequisites) {
        return new StreamsRunner(service, new KafkaStreams(topology, props), prerequisites);
    }

    /** A runner of the client {@code factory} builds (not yet started), for clients built another way. */
    public static StreamsRunner of(String service, Supplier<KafkaStreams> factory,
                                   List<? extends Prerequisite> prerequisites) {
        return new StreamsRunner(service, factory.get(), prerequisites);
    }

    /**
     * Starts the prerequisites in order, each ready before the next, then Kafka Streams; does not wait for
     * {@code RUNNING}. Throws {@link IllegalStateException} when a prerequisite cannot become ready.
     */
    public void start() throws InterruptedException {
        for (Prerequisite p : prerequisites) {
            p.start();
        }
        streams.start();
    }

    /** Waits until Kafka Streams reaches {@code RUNNING}; false on time-out or when it stopped first. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        runningOrStopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return reachedRunning.get() && stopped.getCount() > 0;
    }

    /** Blocks until the client has stopped (after {@link #close()} or a fatal error). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Blocks until the client has stopped, then gives the process' exit code: {@link #EXIT_FAILED} on a failure or
     * when Kafka Streams ended in {@code ERROR}. A prerequisite that dies while Streams runs (the settings reader,
     * say) stops the service too: it is checked every second.
     */
    public int awaitExitCode() throws InterruptedException {
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            Throwable dead = prerequisiteFailure();
            if (dead != null) {
                LOG.error("a prerequisite of the {} failed; shutting it down", service, dead);
                close();
            }
        }
        return failure() == null && !errored.get() ? EXIT_OK : EXIT_FAILED;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The exception a stream thread died with, else the first a prerequisite died with; null if none. */
    public Throwable failure() {
        Throwable f = failure.get();
        return f != null ? f : prerequisiteFailure();
    }

    private Throwable prerequisiteFailure() {
        for (Prerequisite p : prerequisites) {
            if (p.failure() != null) {
                return p.failure();
            }
        }
        return null;
    }

    /** Throws {@link #failure()} if there is one: as it is when unchecked, wrapped otherwise. */
    public void rethrowFailure() {
        Throwable f = failure();
        if (f instanceof RuntimeException e) {
            throw e;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    /** Closes Kafka Streams (waiting up to 30 s), then the prerequisites in reverse order. */
    @Override
    public void close() {
        streams.close(CLOSE_TIMEOUT);
        List<Prerequisite> reversed = new ArrayList<>(prerequisites);
        Collections.reverse(reversed);
        for (Prerequisite p : reversed) {
            p.close();
        }
        markStopped();
    }

    private void markStopped() {
        stopped.countDown();
        runningOrStopped.countDown();
    }
}
