package dev.cascade.ledger.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cascade.events.Json;
import dev.cascade.events.RouteTier;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.pricing.TierPrice;
import dev.cascade.ledger.query.LedgerQueries;
import dev.cascade.ledger.query.QualityQueries;
import dev.cascade.ledger.query.Summary;
import dev.cascade.ledger.query.WindowRow;
import dev.cascade.service.HttpResponder;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The ledger's HTTP API (read-only): {@code /api/summary}, {@code /api/tiers?route=&window=}, {@code /api/breakeven},
 * {@code /api/quality?window=minute|hour|day|all} (default all), the page at {@code /}, {@code /metrics},
 * {@code /health/live|ready}, and {@code /internal/...} for the other instances. While stores are being rebalanced,
 * API calls answer 503 with a reason.
 */
public final class LedgerServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final LedgerQueries queries;
    private final Supplier<Map<String, TierPrice>> pricing;

    private final String bearerToken;

    private LedgerServer(HttpServer server, ExecutorService executor, LedgerQueries queries,
                         Supplier<Map<String, TierPrice>> pricing, String bearerToken) {
        this.bearerToken = bearerToken;
        this.server = server;
        this.executor = executor;
        this.queries = queries;
        this.pricing = pricing;
    }

    public static LedgerServer start(LedgerConfig config, LedgerQueries queries, QualityQueries quality,
                                     Supplier<Map<String, TierPrice>> pricing, Supplier<String> metrics,
                                     BooleanSupplier ready) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(config.httpPort()), 32);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "ledger-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        LedgerServer s = new LedgerServer(server, executor, queries, pricing, config.bearerToken());
        server.createContext("/api/summary", ex -> s.json(ex, () -> Summary.summary(queries.totals(),
                queries.failedByRoute(), pricing.get(), config.referenceTier(), quality.evidence())));
        server.createContext("/api/breakeven", ex -> s.json(ex, () -> Summary.breakeven(queries.totals(),
                pricing.get(), config.referenceTier(), quality.evidence())));
        server.createContext("/api/quality", ex -> s.json(ex, () -> Map.of("routes",
                quality.routes(params(ex).getOrDefault("window", "all")))));
        server.createContext("/internal/quality-totals", ex -> s.json(ex, queries::localQualityTotals));
        server.createContext("/internal/quality-buckets", ex -> s.json(ex, () ->
                queries.localQualityBuckets(params(ex).getOrDefault("size", "minute"))));
        server.createContext("/api/tiers", ex -> s.json(ex, () -> s.tiers(params(ex))));
        server.createContext("/internal/totals", ex -> s.json(ex, queries::localTotals));
        server.createContext("/internal/failed", ex -> s.json(ex, queries::localFailed));
        server.createContext("/internal/windows", ex -> s.json(ex, () ->
                queries.localWindows(params(ex).getOrDefault("window", "minute"))));
        server.createContext("/metrics", ex -> HttpResponder.respond(ex, 200, HttpResponder.PROMETHEUS_TEXT,
                metrics.get()));
        server.createContext("/health/live", ex -> HttpResponder.json(ex, 200, "{\"status\":\"UP\"}"));
        server.createContext("/health/ready", ex -> HttpResponder.json(ex, ready.getAsBoolean() ? 200 : 503,
                "{\"ready\":" + ready.getAsBoolean() + "}"));
        server.createContext("/", s::page);
        server.start();
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private Object tiers(Map<String, String> params) {
        String window = params.getOrDefault("window", "hour");
        Map<String, TierPrice> prices = pricing.get();
        String route = params.get("route");
        ArrayNode rows = JsonNodeFactory.instance.arrayNode();
        if (window.equals("all")) {
            for (Map.Entry<String, TierStats> e : queries.totals().entrySet()) {
                RouteTier rt = RouteTier.parse(e.getKey());
                if (route == null || route.equals(rt.route())) {
                    rows.add(Summary.row(rt.tier(), rt.route(), e.getValue(), prices.get(rt.tier())));
                }
            }
            return rows;
        }
        for (WindowRow w : queries.windows(window)) {
            if (route == null || route.equals(w.route())) {
                rows.add(Summary.row(w.tier(), w.route(), w.stats(), prices.get(w.tier()))
                        .put("window_start", w.start()).put("window_end", w.end()));
            }
        }
        return rows;
    }

    /** Read-only: GET only; with a bearer token configured, the API and internal paths require it. */
    private boolean allowed(HttpExchange ex) throws IOException {
        if (!"GET".equals(ex.getRequestMethod())) {
            error(ex, 405, "the ledger's API is read-only (GET)");
            return false;
        }
        if (bearerToken != null) {
            String given = ex.getRequestHeaders().getFirst("Authorization");
            byte[] expected = ("Bearer " + bearerToken).getBytes(StandardCharsets.UTF_8);
            if (given == null || !java.security.MessageDigest.isEqual(expected,
                    given.getBytes(StandardCharsets.UTF_8))) {
                error(ex, 401, "a bearer token is required");
                return false;
            }
        }
        return true;
    }

    private void json(HttpExchange ex, Supplier<Object> body) throws IOException {
        if (!allowed(ex)) {
            return;
        }
        try {
            HttpResponder.respond(ex, 200, HttpResponder.JSON, Json.mapper().writeValueAsBytes(body.get()));
        } catch (InvalidStateStoreException e) {
            error(ex, 503, "the ledger's stores are not queryable right now (starting or rebalancing): "
                    + e.getMessage());
        } catch (IllegalArgumentException e) {
            error(ex, 400, e.getMessage());
        } catch (IllegalStateException e) {
            error(ex, 502, e.getMessage());
        }
    }

    private void page(HttpExchange ex) throws IOException {
        if (!allowed(ex)) {
            return;
        }
        if (!ex.getRequestURI().getPath().equals("/")) {
            error(ex, 404, "no such path " + ex.getRequestURI().getPath());
            return;
        }
        try (InputStream in = LedgerServer.class.getResourceAsStream("/ledger-page.html")) {
            HttpResponder.respond(ex, 200, "text/html; charset=utf-8", in.readAllBytes());
        }
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        HttpResponder.respond(ex, status, HttpResponder.JSON,
                Json.mapper().writeValueAsBytes(Map.of("error", message)));
    }

    static Map<String, String> params(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String q = ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String pair : q.split("&")) {
                String[] kv = pair.split("=", 2);
                out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
