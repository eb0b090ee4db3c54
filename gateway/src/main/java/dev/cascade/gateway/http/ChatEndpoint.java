package dev.cascade.gateway.http;

import dev.cascade.events.AnswerEvent;
import dev.cascade.gateway.auth.ApiKeys;
import dev.cascade.gateway.metrics.GatewayMetrics;
import dev.cascade.gateway.openai.ChatRequest;
import dev.cascade.gateway.openai.ChatResponses;
import dev.cascade.gateway.openai.OpenAiError;
import dev.cascade.gateway.openai.Reply;
import dev.cascade.gateway.pending.PendingAnswers;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code POST /v1/chat/completions}: key to tenant, body to query, query to the log, then the request waits (holding
 * no thread) until its answer arrives on this instance's reply topic, its deadline passes, or the client goes away.
 * The client's timeout ({@code X-Stainless-Timeout}, sent by the official SDKs) or {@code x-cascade-deadline-ms}
 * sets the deadline; {@code Idempotency-Key} sets the query id (within the tenant), so a retried call names the same
 * query. Headers are sent only once the answer is known, so a failed cascade gets an error status even when
 * streaming. Thread-safe.
 */
public final class ChatEndpoint {
    public static final String DEADLINE_HEADER = "x-cascade-deadline-ms";
    public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
    static final String CLIENT_TIMEOUT_HEADER = "X-Stainless-Timeout";
    static final int MAX_KEY_LENGTH = 128;
    /**
     * When the router enforces the deadline, the gateway waits this much longer, so the router's own FAILED answer
     * (which names the deadline and the tiers tried) normally arrives before the gateway gives up by itself.
     */
    static final long ROUTER_DEADLINE_GRACE_MS = 1_000;
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1," + MAX_KEY_LENGTH + "}");

    /** What the endpoint needs of the gateway's settings. */
    public record Settings(java.util.List<String> routes, String replyTopic, long defaultDeadlineMs,
                           long maxDeadlineMs, boolean sendDeadline, int maxBodyBytes, int maxQueryBytes) {
    }

    private final Settings settings;
    private final ApiKeys keys;
    private final PendingAnswers<Reply> pending;
    private final BiFunction<String, byte[], CompletableFuture<Void>> publish;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private volatile boolean stopping;

    public ChatEndpoint(Settings settings, ApiKeys keys, PendingAnswers<Reply> pending,
                        BiFunction<String, byte[], CompletableFuture<Void>> publish, GatewayMetrics metrics,
                        Clock clock) {
        this.settings = settings;
        this.keys = keys;
        this.pending = pending;
        this.publish = publish;
        this.metrics = metrics;
        this.clock = clock;
    }

    static OpenAiError unauthorized() {
        return new OpenAiError(401, "authentication_error", "invalid_api_key", null,
                "a valid API key is required (Authorization: Bearer <key>)", false);
    }

    /** New requests are refused with 503 from now on (open ones are failed by the caller). */
    public void stop() {
        stopping = true;
    }

    void handle(Request request, Response response, Callback callback) {
        metrics.started();
        long started = System.nanoTime();
        try {
            if (stopping) {
                throw new OpenAiError(503, "server_error", "unavailable", null, "this gateway is stopping", true);
            }
            String tenant = keys.tenant(request.getHeaders().get(HttpHeader.AUTHORIZATION))
                    .orElseThrow(ChatEndpoint::unauthorized);
            long deadlineMs = deadline(request);
            String id = queryId(tenant, request.getHeaders().get(IDEMPOTENCY_HEADER));
            long length = request.getLength();
            if (length > settings.maxBodyBytes()) {
                throw tooLarge("the body is " + length + " bytes; the limit is " + settings.maxBodyBytes());
            }
            Content.Source.asByteArrayAsync(request, settings.maxBodyBytes()).whenComplete((body, e) -> {
                if (e != null) {
                    finish(response, callback, tooLarge("the body could not be read within the limit of "
                            + settings.maxBodyBytes() + " bytes"), Map.of());
                    return;
                }
                try {
                    ask(request, response, callback, ChatRequest.parse(body, settings.routes()), id, tenant,
                            deadlineMs, started);
                } catch (OpenAiError error) {
                    finish(response, callback, error, Map.of());
                } catch (RuntimeException bug) {
                    finish(response, callback, new OpenAiError(500, "server_error", "internal_error", null,
                            "the gateway failed on this request: " + bug.getClass().getSimpleName(), false), Map.of());
                }
            });
        } catch (OpenAiError e) {
            finish(response, callback, e, Map.of());
        }
    }

    private void ask(Request request, Response response, Callback callback, ChatRequest chat, String id,
                     String tenant, long deadlineMs, long started) throws OpenAiError {
        byte[] query = chat.toQuery(id, tenant, settings.replyTopic(), settings.sendDeadline() ? deadlineMs : null);
        if (query.length > settings.maxQueryBytes()) {
            throw tooLarge("the query would be " + query.length + " bytes; the limit is " + settings.maxQueryBytes());
        }
        long remaining = Math.max(1, deadlineMs - Duration.ofNanos(System.nanoTime() - started).toMillis());
        PendingAnswers.Wait<Reply> wait = pending.register(id, remaining
                + (settings.sendDeadline() ? ROUTER_DEADLINE_GRACE_MS : 0));
        request.addFailureListener(t -> wait.answer().cancel(false));
        // a request waiting for its answer is quiet, not idle: its own deadline bounds the wait
        request.addIdleTimeoutListener(t -> false);
        if (wait.first()) {
            publish.apply(id, query).whenComplete((ok, e) -> {
                if (e != null) {
                    pending.fail(id, new OpenAiError(503, "server_error", "unavailable", null,
                            "the query could not be written to Kafka: " + e.getClass().getSimpleName(), true));
                }
            });
        }
        long published = System.nanoTime();
        wait.answer().whenComplete((reply, e) -> {
            Duration waited = Duration.ofNanos(System.nanoTime() - published);
            if (reply != null) {
                answer(response, callback, chat, reply, waited);
                return;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof CancellationException) {
                metrics.waited("gone", waited);
                metrics.finished(GatewayMetrics.CHAT, 499);
                callback.failed(cause);
            } else if (cause instanceof TimeoutException) {
                metrics.waited("timeout", waited);
                finish(response, callback, new OpenAiError(504, "timeout_error", "deadline_exceeded", null,
                        "no answer within " + deadlineMs + " ms", false), Map.of("x-cascade-query-id", id));
            } else {
                metrics.waited("failed", waited);
                finish(response, callback, cause instanceof OpenAiError o ? o : new OpenAiError(503, "server_error",
                        "unavailable", null, "the gateway failed: " + cause, true), Map.of("x-cascade-query-id", id));
            }
        });
    }

    private void answer(Response response, Callback callback, ChatRequest chat, Reply reply, Duration waited) {
        Map<String, String> headers = ChatResponses.headers(reply);
        if (reply.answer().status() != AnswerEvent.Status.ANSWERED) {
            metrics.waited("failed", waited);
            finish(response, callback, ChatResponses.failure(reply.answer()), headers);
            return;
        }
        metrics.waited("answered", waited);
        long created = clock.instant().getEpochSecond();
        if (chat.stream()) {
            HttpReplies.send(response, callback, 200, HttpReplies.EVENT_STREAM,
                    ChatResponses.events(reply, created, chat.includeUsage()), headers);
        } else {
            HttpReplies.send(response, callback, 200, HttpReplies.JSON, ChatResponses.completion(reply, created),
                    headers);
        }
        metrics.finished(GatewayMetrics.CHAT, 200);
    }

    private void finish(Response response, Callback callback, OpenAiError error, Map<String, String> headers) {
        HttpReplies.error(response, callback, error, headers);
        metrics.finished(GatewayMetrics.CHAT, error.status());
    }

    /** The wait: x-cascade-deadline-ms, else the client's own timeout, else the default; never past the max. */
    private long deadline(Request request) throws OpenAiError {
        String explicit = request.getHeaders().get(DEADLINE_HEADER);
        if (explicit != null) {
            try {
                long ms = Long.parseLong(explicit.trim());
                if (ms >= 1 && ms <= settings.maxDeadlineMs()) {
                    return ms;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw OpenAiError.invalid(DEADLINE_HEADER, DEADLINE_HEADER + " must be an integer number of "
                    + "milliseconds in [1, " + settings.maxDeadlineMs() + "]");
        }
        return clientTimeoutMs(request.getHeaders().get(CLIENT_TIMEOUT_HEADER))
                .map(ms -> Math.min(ms, settings.maxDeadlineMs())).orElse(settings.defaultDeadlineMs());
    }

    static Optional<Long> clientTimeoutMs(String seconds) {
        if (seconds == null) {
            return Optional.empty();
        }
        try {
            double s = Double.parseDouble(seconds.trim());
            return s > 0 && s < 1e9 ? Optional.of(Math.max(1L, (long) (s * 1000))) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Within a tenant an Idempotency-Key names one query; without one, every call is a new query. */
    static String queryId(String tenant, String idempotencyKey) throws OpenAiError {
        if (idempotencyKey == null) {
            return "gw-" + UUID.randomUUID();
        }
        if (!KEY.matcher(idempotencyKey).matches()) {
            throw OpenAiError.invalid(IDEMPOTENCY_HEADER, IDEMPOTENCY_HEADER + " must be 1-" + MAX_KEY_LENGTH
                    + " visible ASCII characters");
        }
        return tenant + ":" + idempotencyKey;
    }

    private static OpenAiError tooLarge(String message) {
        return new OpenAiError(413, "invalid_request_error", "request_too_large", null, message, false);
    }
}
