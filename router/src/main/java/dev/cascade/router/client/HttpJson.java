package dev.cascade.router.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * POSTs JSON to one endpoint and parses the JSON answer, asynchronously and within limits: the body read is capped
 * ({@link BoundedBody}), JSON nesting and string length are bounded by the shared mapper, and each exchange is
 * cancelled when it outlives its time-out or when the caller's call ends first. Failures are
 * {@link ModelCallException}s whose text names host and path only and passes through the {@link Redactor}; an
 * {@link HttpTimeoutException} or {@link java.util.concurrent.TimeoutException} stays itself so callers can tell a
 * time-out. Thread-safe.
 */
final class HttpJson {
    /** Token counts above this are nonsense from any model; also keeps sums of counts far from overflow. */
    static final long MAX_TOKENS = Integer.MAX_VALUE;
    private static final int MAX_ERROR_TEXT = 300;
    private static final int ERROR_BODY_PREFIX = 4096;

    private final HttpClient http;
    private final URI uri;
    private final String where;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final int maxResponseBytes;
    private final Redactor redactor;

    HttpJson(HttpClient http, URI uri, Map<String, String> headers, Duration timeout, int maxResponseBytes,
             Redactor redactor) {
        this.http = http;
        this.uri = uri;
        this.where = Redactor.where(uri);
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.maxResponseBytes = maxResponseBytes;
        this.redactor = redactor;
    }

    /**
     * Sends {@code body}; the exchange is cancelled as soon as {@code call} (the caller's whole call) completes in
     * any way, so an abandoned call frees its connection.
     */
    CompletableFuture<JsonNode> post(Object body, CompletableFuture<?> call) {
        byte[] bytes;
        try {
            bytes = Json.mapper().writeValueAsBytes(body);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new ModelCallException("cannot encode request"));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        headers.forEach(request::header);
        BoundedBody handler = new BoundedBody(maxResponseBytes, ERROR_BODY_PREFIX, "response from " + where
                + " exceeds max_response_bytes (" + maxResponseBytes + " bytes); reading stopped");
        CompletableFuture<HttpResponse<byte[]>> exchange;
        try {
            exchange = http.sendAsync(request.build(), handler);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failed(e).getCause());
        }
        CompletableFuture<JsonNode> out = exchange.handle((response, failure) -> {
            if (failure != null) {
                throw failed(failure);
            }
            return parse(response);
        });
        // the HTTP client's own time-out ends at the response headers; this one covers the body too
        out.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        out.whenComplete((json, failure) -> exchange.cancel(true));
        call.whenComplete((result, failure) -> exchange.cancel(true));
        return out;
    }

    private JsonNode parse(HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw new ModelCallException("HTTP " + response.statusCode() + " from " + where + ": "
                    + snippet(response.body()));
        }
        JsonNode json;
        try {
            json = Json.mapper().readTree(response.body());
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new ModelCallException("response from " + where + " is not JSON (" + redactor.scrub(firstLine(why))
                    + "): " + snippet(response.body()));
        }
        if (json == null || !json.isObject()) {
            throw new ModelCallException("response from " + where + " is not a JSON object: "
                    + snippet(response.body()));
        }
        return json;
    }

    /** The failure as callers should see it: time-outs as they are, everything else as a scrubbed message. */
    private CompletionException failed(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ModelCallException) {
                return new CompletionException(t);
            }
        }
        if (cause instanceof HttpTimeoutException) {
            return new CompletionException(cause);
        }
        String detail = cause.getClass().getSimpleName() + (cause.getMessage() == null ? ""
                : ": " + redactor.scrub(firstLine(cause.getMessage())));
        String what = cause instanceof IOException ? "cannot reach " : "call failed: ";
        return new CompletionException(new ModelCallException(what + where + " (" + detail + ")"));
    }

    private String snippet(byte[] body) {
        int n = Math.min(body.length, ERROR_BODY_PREFIX);
        String text = redactor.scrub(new String(body, 0, n, StandardCharsets.UTF_8).replaceAll("\\s+", " "));
        return text.length() > MAX_ERROR_TEXT || n < body.length ? text.substring(0, Math.min(text.length(),
                MAX_ERROR_TEXT)) + "..." : text;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.lines().findFirst().orElse("");
        return line.length() > MAX_ERROR_TEXT ? line.substring(0, MAX_ERROR_TEXT) + "..." : line;
    }

    /**
     * A token count of {@code usage}: a whole number in [0, {@link #MAX_TOKENS}]; anything else (missing, negative,
     * fractional, too large to be true) is an invalid usage, and the call fails.
     */
    static long tokens(JsonNode usage, String field) {
        JsonNode v = usage.path(field);
        BigDecimal n = v.isNumber() ? v.decimalValue() : null;
        if (n == null || n.signum() < 0 || n.compareTo(BigDecimal.valueOf(MAX_TOKENS)) > 0
                || n.stripTrailingZeros().scale() > 0) {
            String got = v.isMissingNode() ? "nothing" : v.toString();
            throw new ModelCallException("invalid usage: " + field + " must be a whole number in [0, " + MAX_TOKENS
                    + "], got " + (got.length() > 40 ? got.substring(0, 40) + "..." : got));
        }
        return n.longValueExact();
    }

    /** Completes {@code call} as {@code chain} ends, unwrapped; returns {@code call}. */
    static <T> CompletableFuture<T> relay(CompletableFuture<T> chain, CompletableFuture<T> call) {
        chain.whenComplete((value, failure) -> {
            if (failure == null) {
                call.complete(value);
            } else {
                call.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            }
        });
        return call;
    }
}
