package dev.cascade.gateway;

import dev.cascade.gateway.auth.ApiKeys;
import dev.cascade.gateway.config.GatewayConfig;
import dev.cascade.gateway.http.ChatEndpoint;
import dev.cascade.gateway.http.GatewayHandler;
import dev.cascade.gateway.http.GatewayServer;
import dev.cascade.gateway.kafka.QueryPublisher;
import dev.cascade.gateway.kafka.TopicTail;
import dev.cascade.gateway.metrics.GatewayMetrics;
import dev.cascade.gateway.openai.OpenAiError;
import dev.cascade.gateway.openai.Refusal;
import dev.cascade.gateway.openai.Reply;
import dev.cascade.gateway.pending.PendingAnswers;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One gateway instance: readers of its reply topic and of the router's dead-letter topic (started and positioned
 * first, so no answer or refusal is missed), the query publisher, and the HTTP server. {@link #close} stops in
 * order: refuse new requests, fail the open ones with 503 (their clients retry with the same Idempotency-Key), stop
 * HTTP, then Kafka. Start and close from one thread.
 */
public final class GatewayApp implements AutoCloseable {
    private final GatewayConfig config;
    private final PendingAnswers<Reply> pending = new PendingAnswers<>();
    private final QueryPublisher publisher;
    private final TopicTail replies;
    private final TopicTail deadLetters;
    private final ChatEndpoint chat;
    private final GatewayServer server;
    private volatile boolean started;

    public GatewayApp(GatewayConfig config, ApiKeys keys, GatewayMetrics metrics, Supplier<String> scrape) {
        this.config = config;
        this.publisher = new QueryPublisher(config.kafka(), config.queriesTopic(), "gateway-" + config.instance());
        this.replies = new TopicTail(config.kafka(), config.replyTopic(), true, r -> {
            Reply reply = Reply.parse(r.value());
            if (reply == null || !pending.complete(reply.answer().id(), reply)) {
                metrics.unclaimed();
            }
        });
        this.deadLetters = new TopicTail(config.kafka(), config.dlqTopic(), false, r ->
                Refusal.of(r.value(), r.headers(), config.replyTopic())
                        .ifPresent(f -> pending.fail(f.id(), f.error())));
        this.chat = new ChatEndpoint(new ChatEndpoint.Settings(config.routes(), config.replyTopic(),
                config.defaultDeadlineMs(), config.maxDeadlineMs(), config.sendDeadline(), config.maxBodyBytes(),
                config.maxQueryBytes()), keys, pending, publisher::publish, metrics, Clock.systemUTC());
        this.server = new GatewayServer(config.httpHost(), config.httpPort(), new GatewayHandler(chat, keys,
                config.routes(), metrics, this::live, () -> started && live(), scrape));
    }

    /** Creates and positions on the reply topic, positions on the dead-letter topic, then opens the HTTP port. */
    public void start() throws Exception {
        replies.start(Duration.ofSeconds(60));
        deadLetters.start(Duration.ofSeconds(60));
        server.start();
        started = true;
    }

    public boolean live() {
        return replies.failure() == null && deadLetters.failure() == null && (!started || server.running());
    }

    public int port() {
        return server.port();
    }

    public GatewayConfig config() {
        return config;
    }

    /** Query ids with a request waiting on this instance. */
    public int waiting() {
        return pending.size();
    }

    @Override
    public void close() {
        chat.stop();
        pending.failAll(new OpenAiError(503, "server_error", "unavailable", null,
                "this gateway is stopping; retry with the same Idempotency-Key", true));
        server.close();
        replies.close();
        deadLetters.close();
        publisher.close();
    }
}
