package dev.cascade.gateway.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import dev.cascade.gateway.auth.ApiKeys;
import dev.cascade.gateway.metrics.GatewayMetrics;
import dev.cascade.gateway.openai.OpenAiError;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes the gateway's HTTP requests: {@code POST /v1/chat/completions} (to {@link ChatEndpoint}),
 * {@code GET /v1/models} and {@code /v1/models/{route}} (the routes, as models), and, without a key,
 * {@code /health/live}, {@code /health/ready} and {@code /metrics} (Prometheus text). Thread-safe.
 */
public final class GatewayHandler extends Handler.Abstract {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final ChatEndpoint chat;
    private final ApiKeys keys;
    private final List<String> routes;
    private final GatewayMetrics metrics;
    private final BooleanSupplier live;
    private final BooleanSupplier ready;
    private final Supplier<String> scrape;

    public GatewayHandler(ChatEndpoint chat, ApiKeys keys, List<String> routes, GatewayMetrics metrics,
                          BooleanSupplier live, BooleanSupplier ready, Supplier<String> scrape) {
        this.chat = chat;
        this.keys = keys;
        this.routes = List.copyOf(routes);
        this.metrics = metrics;
        this.live = live;
        this.ready = ready;
        this.scrape = scrape;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        switch (path) {
            case "/v1/chat/completions" -> {
                if (method.equals("POST")) {
                    chat.handle(request, response, callback);
                } else {
                    notAllowed(response, callback, "POST");
                }
            }
            case "/health/live" -> health(response, callback, live.getAsBoolean());
            case "/health/ready" -> health(response, callback, ready.getAsBoolean());
            case "/metrics" -> HttpReplies.send(response, callback, 200, PROMETHEUS_TEXT, scrape.get(), Map.of());
            default -> {
                if (path.equals("/v1/models") || path.startsWith("/v1/models/")) {
                    models(request, response, callback, path.substring("/v1/models".length()));
                } else {
                    HttpReplies.error(response, callback, new OpenAiError(404, "invalid_request_error",
                            "unknown_url", null, "no such endpoint: " + method + " " + cut(path)
                            + " (this gateway serves POST /v1/chat/completions and GET /v1/models)", false), Map.of());
                }
            }
        }
        return true;
    }

    private void models(Request request, Response response, Callback callback, String rest) {
        if (!request.getMethod().equals("GET")) {
            notAllowed(response, callback, "GET");
            return;
        }
        if (keys.tenant(request.getHeaders().get(HttpHeader.AUTHORIZATION)).isEmpty()) {
            metrics.counted(GatewayMetrics.MODELS, 401);
            HttpReplies.error(response, callback, ChatEndpoint.unauthorized(), Map.of());
            return;
        }
        if (rest.isEmpty() || rest.equals("/")) {
            ObjectNode list = Json.mapper().createObjectNode().put("object", "list");
            ArrayNode data = list.putArray("data");
            routes.forEach(r -> data.add(model(r)));
            metrics.counted(GatewayMetrics.MODELS, 200);
            HttpReplies.json(response, callback, 200, list.toString());
            return;
        }
        String id = rest.substring(1);
        if (routes.contains(id)) {
            metrics.counted(GatewayMetrics.MODELS, 200);
            HttpReplies.json(response, callback, 200, model(id).toString());
        } else {
            metrics.counted(GatewayMetrics.MODELS, 404);
            HttpReplies.error(response, callback, new OpenAiError(404, "invalid_request_error", "model_not_found",
                    "model", "the model '" + cut(id) + "' does not exist; the models are the routes " + routes,
                    false), Map.of());
        }
    }

    private static ObjectNode model(String route) {
        return Json.mapper().createObjectNode().put("id", route).put("object", "model").put("created", 0)
                .put("owned_by", "cascade");
    }

    private static void health(Response response, Callback callback, boolean ok) {
        HttpReplies.json(response, callback, ok ? 200 : 503, "{\"status\":\"" + (ok ? "UP" : "DOWN") + "\"}");
    }

    private static void notAllowed(Response response, Callback callback, String allowed) {
        HttpReplies.error(response, callback, new OpenAiError(405, "invalid_request_error", "method_not_allowed",
                null, "use " + allowed + " here", false), Map.of(HttpHeader.ALLOW.asString(), allowed));
    }

    private static String cut(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
