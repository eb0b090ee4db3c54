package dev.cascade.gateway.http;

import dev.cascade.gateway.openai.OpenAiError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes one whole response (status, headers, body) through Jetty without blocking. Stateless. */
final class HttpReplies {
    static final String JSON = "application/json";
    static final String EVENT_STREAM = "text/event-stream";

    private HttpReplies() {
    }

    static void send(Response response, Callback callback, int status, String contentType, String body,
                     Map<String, String> headers) {
        response.setStatus(status);
        headers.forEach((k, v) -> response.getHeaders().put(k, v));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        if (contentType.equals(EVENT_STREAM)) {
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    static void json(Response response, Callback callback, int status, String body) {
        send(response, callback, status, JSON, body, Map.of());
    }

    /** An OpenAI-shaped error, with {@code x-should-retry} so the official SDKs retry only what may succeed. */
    static void error(Response response, Callback callback, OpenAiError e, Map<String, String> headers) {
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.put("x-should-retry", Boolean.toString(e.retry()));
        if (e.status() == 401) {
            all.put(HttpHeader.WWW_AUTHENTICATE.asString(), "Bearer");
        }
        send(response, callback, e.status(), JSON, e.toJson(), all);
    }
}
