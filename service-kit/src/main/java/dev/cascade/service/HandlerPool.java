package dev.cascade.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads of their own for HTTP handlers that may be slow (scrapes, API calls), so that the server's threads stay
 * free for health probes: a handler wrapped by {@link #offload} hands its exchange to this pool and the server's
 * thread returns at once. When every thread is busy and the queue is full, the request is answered {@code 503} on
 * the spot instead of waiting. Thread-safe; close it after the server.
 */
public final class HandlerPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HandlerPool.class);

    private final ThreadPoolExecutor executor;

    /**
     * @param name    thread name
     * @param threads handlers that may run at once
     * @param queue   requests that may wait for a thread; more are refused with 503
     */
    public HandlerPool(String name, int threads, int queue) {
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queue), r -> {
                    Thread t = new Thread(r, name);
                    t.setDaemon(true);
                    return t;
                });
    }

    /** {@code handler}, run on this pool's threads. */
    public HttpHandler offload(HttpHandler handler) {
        return ex -> {
            try {
                executor.execute(() -> run(handler, ex));
            } catch (RejectedExecutionException e) {
                HttpResponder.respond(ex, 503, "text/plain; charset=utf-8", "busy, try again\n");
            }
        };
    }

    private static void run(HttpHandler handler, HttpExchange ex) {
        try {
            handler.handle(ex);
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e.toString());
            ex.close();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
