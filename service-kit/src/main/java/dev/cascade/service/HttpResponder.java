package dev.cascade.service;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes one whole answer to a {@code com.sun.net.httpserver} exchange: status, {@code Content-Type}, a body of known
 * length (so {@code Content-Length} is exact and an empty body is sent as {@code Content-Length: 0}, not chunked),
 * then closes the exchange. Stateless and thread-safe.
 */
public final class HttpResponder {
    public static final String JSON = "application/json";
    /** Prometheus' text exposition format. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private HttpResponder() {
    }

    /** Answers {@code status} with a JSON body. */
    public static void json(HttpExchange ex, int status, String json) throws IOException {
        respond(ex, status, JSON, json);
    }

    /** Answers {@code status} with {@code body} encoded as UTF-8. */
    public static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        respond(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Answers {@code status} with {@code body} as it is. */
    public static void respond(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", contentType);
            // for sendResponseHeaders, 0 means "chunked" and -1 means "no body"
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
