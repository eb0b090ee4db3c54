package dev.cascade.router.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cascade.service.HttpResponder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Admin HTTP: {@code /health/live}, {@code /health/ready} and {@code /metrics} (Prometheus text). Serves health
 * from a supplier so it shows no secrets and does no work on stream threads.
 */
public final class AdminServer implements AutoCloseable {
    /** A health answer: whether it is good and a short JSON body. */
    public record Health(boolean ok, String json) {
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static AdminServer start(int port, Supplier<Health> live, Supplier<Health> ready,
                                    Supplier<String> metrics) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health/live", ex -> health(ex, live.get()));
        server.createContext("/health/ready", ex -> health(ex, ready.get()));
        server.createContext("/metrics", ex -> HttpResponder.respond(ex, 200, HttpResponder.PROMETHEUS_TEXT,
                metrics.get()));
        server.start();
        return new AdminServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void health(HttpExchange ex, Health h) throws IOException {
        HttpResponder.json(ex, h.ok() ? 200 : 503, h.json());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
