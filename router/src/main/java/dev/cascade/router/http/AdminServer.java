package dev.cascade.router.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cascade.service.HandlerPool;
import dev.cascade.service.HttpResponder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Admin HTTP: {@code /health/live}, {@code /health/ready} and {@code /metrics} (Prometheus text). Health is answered
 * from a supplier on the server's own threads, so it shows no secrets and does no work on stream threads; scrapes run
 * on a pool of their own (one at a time, a few waiting, more refused with 503), so slow or piled-up scrapes never
 * hold up a probe. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    /** A health answer: whether it is good and a short JSON body. */
    public record Health(boolean ok, String json) {
    }

    private static final int SERVER_THREADS = 4;
    private static final int SCRAPES_WAITING = 4;

    private final HttpServer server;
    private final ExecutorService executor;
    private final HandlerPool scrapes;

    private AdminServer(HttpServer server, ExecutorService executor, HandlerPool scrapes) {
        this.server = server;
        this.executor = executor;
        this.scrapes = scrapes;
    }

    /** On every interface. */
    public static AdminServer start(int port, Supplier<Health> live, Supplier<Health> ready,
                                    Supplier<String> metrics) throws IOException {
        return start(new InetSocketAddress(port), live, ready, metrics);
    }

    /** On {@code address} (e.g. loopback only, or one interface). */
    public static AdminServer start(InetSocketAddress address, Supplier<Health> live, Supplier<Health> ready,
                                    Supplier<String> metrics) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newFixedThreadPool(SERVER_THREADS, r -> {
            Thread t = new Thread(r, "admin-http");
            t.setDaemon(true);
            return t;
        });
        HandlerPool scrapes = new HandlerPool("admin-metrics", 1, SCRAPES_WAITING);
        server.setExecutor(executor);
        server.createContext("/health/live", ex -> health(ex, live.get()));
        server.createContext("/health/ready", ex -> health(ex, ready.get()));
        server.createContext("/metrics", scrapes.offload(ex -> HttpResponder.respond(ex, 200,
                HttpResponder.PROMETHEUS_TEXT, metrics.get())));
        server.start();
        return new AdminServer(server, executor, scrapes);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The address the server listens on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void health(HttpExchange ex, Health h) throws IOException {
        HttpResponder.json(ex, h.ok() ? 200 : 503, h.json());
    }

    @Override
    public void close() {
        server.stop(0);
        scrapes.close();
        executor.shutdownNow();
    }
}
