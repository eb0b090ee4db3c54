package dev.cascade.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.gateway.GatewayApp;
import dev.cascade.gateway.auth.ApiKeys;
import dev.cascade.gateway.config.GatewayConfig;
import dev.cascade.gateway.metrics.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway in front of a real router, simulator and broker, called with a plain HTTP client. */
class GatewayIntegrationTest {
    static final String KEY = "sk-test-acme-0123456789";
    static CascadeStack stack;
    static GatewayApp gateway;
    static String replyTopic;
    static PrometheusMeterRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        stack = new CascadeStack();
        GatewayConfig config = GatewayConfig.from(stack.gatewayDoc("it"), Map.of("GATEWAY_API_KEYS",
                "acme=" + KEY + ",beta=sk-beta-key"), "test");
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.bindTo(registry);
        replyTopic = config.replyTopic();
        gateway = new GatewayApp(config, ApiKeys.load(null, config.envKeys()), metrics, registry::scrape);
        gateway.start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldAnswerAChatCompletionFromTheAcceptedTier() throws Exception {
        HttpResponse<String> r = Http.post(gateway.port(), "/v1/chat/completions", KEY,
                Http.chat("default", "What is the boiling point of water?", false));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("model").asText()).isEqualTo("medium-model");
        assertThat(body.path("id").asText()).startsWith("chatcmpl-gw-");
        assertThat(body.path("choices").get(0).path("message").path("content").asText())
                .startsWith("simulated answer of medium-model");
        JsonNode cascade = body.path("cascade");
        assertThat(cascade.path("tier").asText()).isEqualTo("medium");
        assertThat(cascade.path("attempts").findValuesAsText("outcome")).containsExactly("ESCALATED", "ACCEPTED");
        assertThat(cascade.path("cost_usd").decimalValue()).isPositive();
        assertThat(r.headers().firstValue("x-cascade-tier")).hasValue("medium");
        assertThat(r.headers().firstValue("x-cascade-attempts")).hasValue("small:ESCALATED,medium:ACCEPTED");
        assertThat(r.headers().firstValue("x-cascade-cost-usd").orElseThrow())
                .isEqualTo(cascade.path("cost_usd").decimalValue().toPlainString());
    }

    @Test
    void shouldStreamOnlyTheAcceptedAnswerEndingWithDone() throws Exception {
        HttpResponse<String> r = Http.post(gateway.port(), "/v1/chat/completions", KEY,
                Http.chat("default", "Name a prime number.", true));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
        List<String> data = r.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode chunk = Json.mapper().readTree(d);
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            text.append(chunk.path("choices").get(0).path("delta").path("content").asText(""));
        }
        assertThat(data.size()).isGreaterThan(3);
        assertThat(text.toString()).startsWith("simulated answer of medium-model").doesNotContain("small-model");
        JsonNode last = Json.mapper().readTree(data.get(data.size() - 2));
        assertThat(last.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(last.path("cascade").path("attempts").findValuesAsText("tier")).containsExactly("small",
                "medium");
    }

    @Test
    void shouldMapAFailedCascadeToAnOpenAiErrorThatIsNotRetried() throws Exception {
        HttpResponse<String> r = Http.post(gateway.port(), "/v1/chat/completions", KEY,
                Http.chat("failing", "Anything?", false));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
        JsonNode error = Json.mapper().readTree(r.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("cascade_failed");
        assertThat(error.path("message").asText()).contains("broken=ERROR");
        assertThat(r.headers().firstValue("x-should-retry")).hasValue("false");
        assertThat(r.headers().firstValue("x-cascade-attempts")).hasValue("broken:ERROR");
    }

    @Test
    void shouldRefuseMissingOrUnknownKeysWithoutEchoingThem() throws Exception {
        HttpResponse<String> none = Http.post(gateway.port(), "/v1/chat/completions", null,
                Http.chat("default", "hi", false));
        HttpResponse<String> wrong = Http.post(gateway.port(), "/v1/chat/completions", "sk-wrong-secret-value",
                Http.chat("default", "hi", false));
        HttpResponse<String> models = Http.get(gateway.port(), "/v1/models", "sk-wrong-secret-value");
        for (HttpResponse<String> r : List.of(none, wrong, models)) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(Json.mapper().readTree(r.body()).path("error").path("code").asText())
                    .isEqualTo("invalid_api_key");
            assertThat(r.body()).doesNotContain("sk-wrong-secret-value");
        }
    }

    @Test
    void shouldRefuseBadInputWithAClearError() throws Exception {
        Map<String, String> cases = Map.of(
                "{\"model\":\"default\",\"messages\":[]}", "messages",
                "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model",
                "{\"model\":\"default\",\"temperature\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "temperature",
                "{\"model\":\"default\",\"tools\":[{}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "tools",
                "not json", "");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = Http.post(gateway.port(), "/v1/chat/completions", KEY, c.getKey());
            assertThat(r.statusCode()).as(c.getKey()).isIn(400, 404);
            JsonNode error = Json.mapper().readTree(r.body()).path("error");
            assertThat(error.path("message").asText()).as(c.getKey()).isNotBlank();
            assertThat(error.path("param").asText("")).as(c.getKey()).isEqualTo(c.getValue());
        }
        HttpResponse<String> badDeadline = Http.post(gateway.port(), "/v1/chat/completions", KEY,
                Http.chat("default", "x", false), "x-cascade-deadline-ms", "soon");
        assertThat(badDeadline.statusCode()).isEqualTo(400);
        assertThat(badDeadline.body()).contains("x-cascade-deadline-ms");
    }

    @Test
    void shouldListTheRoutesAsModels() throws Exception {
        HttpResponse<String> r = Http.get(gateway.port(), "/v1/models", KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(r.body()).path("data").findValuesAsText("id"))
                .containsExactly("default", "failing", "slow");
        assertThat(Http.get(gateway.port(), "/v1/models/default", KEY).statusCode()).isEqualTo(200);
        assertThat(Http.get(gateway.port(), "/v1/models/gpt-4o", KEY).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldWriteTheQueryFieldsOfTheContract() throws Exception {
        HttpResponse<String> r = Http.post(gateway.port(), "/v1/chat/completions", "sk-beta-key",
                Http.chat("default", "Capital of Peru?", false), "Idempotency-Key", "order-42",
                "x-cascade-deadline-ms", "45000");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode query = queries("beta:order-42").get(0);
        assertThat(query.path("id").asText()).isEqualTo("beta:order-42");
        assertThat(query.path("route").asText()).isEqualTo("default");
        assertThat(query.path("tenant").asText()).isEqualTo("beta");
        assertThat(query.path("reply_to").asText()).isEqualTo(gateway.config().replyTopic());
        assertThat(query.path("max_tokens").asInt()).isEqualTo(32);
        assertThat(query.path("temperature").decimalValue()).isEqualByComparingTo("0.2");
        assertThat(query.path("metadata").path("app").asText()).isEqualTo("it");
        assertThat(query.path("messages").findValuesAsText("role")).containsExactly("system", "user");
        if (CascadeStack.routerSupportsDeadlines()) {
            assertThat(query.path("deadline_ms").asLong()).isEqualTo(45_000);
        } else {
            assertThat(query.has("deadline_ms")).as("not sent to a router that refuses it").isFalse();
        }
        assertThat(query.toString()).doesNotContain("sk-beta-key");
    }

    @Test
    void shouldJoinARetryOfAWaitingRequestAndEndBothAtTheirDeadline() throws Exception {
        String body = Http.chat("slow", "Will this ever end?", false);
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> call(body));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gateway.waiting() == 1);
        long start = System.nanoTime();
        HttpResponse<String> retry = call(body);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(504);
        assertThat(tookMs).isBetween(100L, 5_000L);
        assertThat(Json.mapper().readTree(retry.body()).path("error").path("code").asText())
                .isEqualTo("deadline_exceeded");
        assertThat(first.get().statusCode()).isEqualTo(504);
        assertThat(queries("acme:slow-1")).as("the retry joined the waiting request: one query").hasSize(1);
    }

    @Test
    void shouldAnswerConflictWhenTheRouterRefusesARetryOfAQueryStillInFlight() throws Exception {
        // the first call with this key came through this gateway's reply topic (an earlier process of this instance)
        // and is still being answered: in-flight ids are kept per reply topic, so only a retry on the same topic is
        // a duplicate; the same key through another instance is a query of its own
        try (org.apache.kafka.clients.producer.KafkaProducer<String, String> producer =
                     new org.apache.kafka.clients.producer.KafkaProducer<>(Map.of("bootstrap.servers",
                             stack.broker.bootstrapServers()), new org.apache.kafka.common.serialization
                             .StringSerializer(), new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(stack.topics.queries(),
                    "acme:dup-1", "{\"id\":\"acme:dup-1\",\"route\":\"slow\",\"prompt\":\"p\","
                            + "\"reply_to\":\"" + replyTopic + "\"}")).get();
        }
        // same key, same partition: the router reads the first query before the retry, and refuses the retry
        long start = System.nanoTime();
        HttpResponse<String> r = Http.post(gateway.port(), "/v1/chat/completions", KEY,
                Http.chat("default", "dup?", false), "Idempotency-Key", "dup-1", "x-cascade-deadline-ms", "20000");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused, not left to its deadline")
                .isLessThan(Duration.ofSeconds(10));
        assertThat(Json.mapper().readTree(r.body()).path("error").path("code").asText())
                .isEqualTo("request_in_progress");
        assertThat(r.headers().firstValue("x-should-retry")).hasValue("true");
    }

    @Test
    void shouldExposeRequestOpenAndWaitMetrics() throws Exception {
        Http.post(gateway.port(), "/v1/chat/completions", KEY, Http.chat("default", "Metrics?", false));
        String text = Http.get(gateway.port(), "/metrics", null).body();
        assertThat(text).contains("gateway_requests_total{endpoint=\"chat_completions\",status=\"200\"}")
                .contains("gateway_requests_open ").contains("gateway_answer_wait_seconds_count{outcome=\"answered\"}")
                .doesNotContain(KEY);
        assertThat(Http.get(gateway.port(), "/health/ready", null).statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> call(String body) {
        try {
            return Http.post(gateway.port(), "/v1/chat/completions", KEY, body, "Idempotency-Key", "slow-1",
                    "x-cascade-deadline-ms", "1500");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The queries with this id on the queries topic (read from the beginning). */
    static List<JsonNode> queries(String id) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = c.partitionsFor(stack.topics.queries()).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (new String(r.key(), StandardCharsets.UTF_8).equals(id)) {
                        out.add(Json.mapper().readTree(r.value()));
                    }
                }
            }
        }
        return out;
    }
}
