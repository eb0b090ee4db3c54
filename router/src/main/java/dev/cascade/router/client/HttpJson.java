package dev.cascade.router.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** POSTs JSON and parses JSON answers asynchronously; non-2xx answers become {@link ModelCallException}. */
final class HttpJson {
    private static final int MAX_ERROR_TEXT = 300;

    private HttpJson() {
    }

    static CompletableFuture<JsonNode> post(HttpClient http, URI uri, Object body, Map<String, String> headers,
                                            Duration timeout) {
        byte[] bytes;
        try {
            bytes = Json.mapper().writeValueAsBytes(body);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new ModelCallException("cannot encode request", e));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        headers.forEach(request::header);
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            if (response.statusCode() / 100 != 2) {
                throw new ModelCallException("HTTP " + response.statusCode() + " from " + uri + ": "
                        + snippet(response.body()));
            }
            try {
                return Json.mapper().readTree(response.body());
            } catch (IOException e) {
                throw new ModelCallException("response from " + uri + " is not JSON: " + snippet(response.body()));
            }
        });
    }

    private static String snippet(byte[] body) {
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        return text.length() > MAX_ERROR_TEXT ? text.substring(0, MAX_ERROR_TEXT) + "..." : text;
    }

    static long requireLong(JsonNode node, String field, String what) {
        JsonNode v = node.path(field);
        if (!v.canConvertToLong()) {
            throw new ModelCallException(what + ": response has no numeric '" + field + "'");
        }
        return v.asLong();
    }
}
