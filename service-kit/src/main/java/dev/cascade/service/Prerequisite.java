package dev.cascade.service;

/**
 * Something a {@link StreamsRunner} starts, in order, before Kafka Streams and closes, in reverse order, after it: a
 * settings table that must be loaded before the first record is processed, for example.
 */
public interface Prerequisite extends AutoCloseable {
    /** Starts and blocks until ready; throws {@link IllegalStateException} when it cannot become ready. */
    void start() throws InterruptedException;

    /** The exception it died with after starting, or null. */
    Throwable failure();

    @Override
    void close();
}
