package dev.cascade.gateway.unit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.AnswerEvent;
import dev.cascade.events.Json;
import dev.cascade.events.Outcome;
import dev.cascade.gateway.auth.ApiKeys;
import dev.cascade.gateway.config.ConfigException;
import dev.cascade.gateway.config.GatewayConfig;
import dev.cascade.gateway.openai.ChatRequest;
import dev.cascade.gateway.openai.ChatResponses;
import dev.cascade.gateway.openai.OpenAiError;
import dev.cascade.gateway.openai.Reply;
import dev.cascade.gateway.pending.PendingAnswers;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayUnitTest {
    @Test
    void shouldMapKeysToTenantsByHashOnly(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "# tenant key\nacme sk-acme-1\nbeta sha256:"
                + ApiKeys.sha256("sk-beta-2") + "\n");
        ApiKeys keys = ApiKeys.load(file, "gamma=sk-gamma-3");
        assertThat(keys.tenant("Bearer sk-acme-1")).hasValue("acme");
        assertThat(keys.tenant("bearer sk-beta-2")).hasValue("beta");
        assertThat(keys.tenant("Bearer sk-gamma-3")).hasValue("gamma");
        assertThat(keys.tenant("Bearer sk-acme-2")).isEmpty();
        assertThat(keys.tenant("sk-acme-1")).isEmpty();
        assertThat(keys.tenant(null)).isEmpty();
        assertThat(keys.toString()).doesNotContain("sk-");
        assertThatThrownBy(() -> ApiKeys.load(null, "acme=sk-1,beta=sk-1"))
                .hasMessageContaining("another tenant").hasMessageNotContaining("sk-1");
        assertThatThrownBy(() -> ApiKeys.load(null, "bad tenant=sk-x")).hasMessageContaining("tenant must be")
                .hasMessageNotContaining("sk-x");
        assertThat(ApiKeys.anyKey("local").tenant("Bearer anything")).hasValue("local");
        assertThat(ApiKeys.anyKey("local").tenant("Bearer ")).isEmpty();
    }

    @Test
    void shouldReportEveryConfigProblemAtOnceAndHideEnvironmentKeys() {
        assertThatThrownBy(() -> GatewayConfig.from(Map.of("http_port", "x", "routes", List.of(),
                "colour", "blue", "default_deadline_ms", 10, "max_deadline_ms", 5), Map.of(), "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http_port").hasMessageContaining("routes")
                .hasMessageContaining("colour: unknown").hasMessageContaining("default_deadline_ms")
                .hasMessageContaining("no API keys");
        GatewayConfig c = GatewayConfig.from(Map.of("instance", "gw-1"), Map.of("GATEWAY_API_KEYS", "a=sk-secret",
                "GATEWAY_HTTP_PORT", "9000", "KAFKA_BOOTSTRAP_SERVERS", "k:9092"), "test");
        assertThat(c.httpPort()).isEqualTo(9000);
        assertThat(c.kafka()).containsEntry("bootstrap.servers", "k:9092");
        assertThat(c.replyTopic()).isEqualTo("cascade.answers.gateway-gw-1");
        assertThat(c.toString()).doesNotContain("sk-secret");
    }

    @Test
    void shouldTranslateAChatRequestIntoAContractQuery() throws Exception {
        ChatRequest r = ChatRequest.parse(("{\"model\":\"default\",\"max_completion_tokens\":20,\"temperature\":0.7,"
                + "\"user\":\"u1\",\"top_p\":0.9,\"messages\":[{\"role\":\"developer\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi \"},{\"type\":\"text\","
                + "\"text\":\"there\"}]}]}").getBytes(StandardCharsets.UTF_8), List.of("default"));
        JsonNode q = Json.mapper().readTree(r.toQuery("t:k", "t", "cascade.answers.gateway-x", 5000L));
        assertThat(q.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(q.path("messages").get(1).path("content").asText()).isEqualTo("Hi there");
        assertThat(q.path("max_tokens").asInt()).isEqualTo(20);
        assertThat(q.path("temperature").decimalValue()).isEqualByComparingTo("0.7");
        assertThat(q.path("metadata").path("user").asText()).isEqualTo("u1");
        assertThat(q.path("deadline_ms").asLong()).isEqualTo(5000);
        assertThat(Json.mapper().readTree(r.toQuery("i", "t", "r", null)).has("deadline_ms")).isFalse();
        assertThatThrownBy(() -> ChatRequest.parse(("{\"model\":\"default\",\"n\":2,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"x\"}]}").getBytes(StandardCharsets.UTF_8), List.of("default")))
                .isInstanceOf(OpenAiError.class).hasMessageContaining("'n' must be 1");
        assertThatThrownBy(() -> ChatRequest.parse(("{\"model\":\"default\",\"messages\":[{\"role\":\"tool\","
                + "\"content\":\"x\"}]}").getBytes(StandardCharsets.UTF_8), List.of("default")))
                .hasMessageContaining("messages[0].role");
        assertThatThrownBy(() -> ChatRequest.parse(("{\"model\":\"default\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"\\ud800\"}]}").getBytes(StandardCharsets.UTF_8), List.of("default")))
                .hasMessageContaining("unpaired");
    }

    @Test
    void shouldMapFailedAnswersToFittingStatuses() {
        assertThat(ChatResponses.failure(failed("every tier failed (a=ERROR); last: HTTP 500")).status())
                .isEqualTo(502);
        assertThat(ChatResponses.failure(failed("deadline of 200 ms passed (tried a)")).status()).isEqualTo(504);
        OpenAiError overloaded = ChatResponses.failure(failed("overloaded"));
        assertThat(overloaded.status()).isEqualTo(503);
        assertThat(overloaded.retry()).isTrue();
    }

    @Test
    void shouldStreamTheWholeAnswerInPiecesWithExactMoneyInTheCascadeObject() throws Exception {
        String content = "word ".repeat(200).trim();
        AnswerEvent a = new AnswerEvent("q1", "default", AnswerEvent.Status.ANSWERED, "medium", "m", content, 0.9,
                new BigDecimal("0.0000001"), 10, List.of(new AnswerEvent.AttemptSummary("medium", Outcome.ACCEPTED,
                0.9, 10, new BigDecimal("0.0000001"))), null);
        String sse = ChatResponses.events(new Reply(a, false), 1L, false);
        List<String> data = sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(data).hasSizeLessThanOrEqualTo(64 + 3).endsWith("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String d : data.subList(0, data.size() - 1)) {
            text.append(Json.mapper().readTree(d).path("choices").get(0).path("delta").path("content").asText(""));
        }
        assertThat(text.toString()).isEqualTo(content);
        assertThat(data.get(data.size() - 2)).contains("\"cost_usd\":0.0000001");
        assertThat(ChatResponses.completion(new Reply(a, true), 1L)).contains("\"replayed\":true")
                .contains("\"cost_usd\":0.0000001");
    }

    @Test
    void shouldGiveOneAnswerToEveryWaiterOfAnIdAndTimeOutAlone() throws Exception {
        PendingAnswers<String> pending = new PendingAnswers<>();
        PendingAnswers.Wait<String> first = pending.register("q", 10_000);
        PendingAnswers.Wait<String> retry = pending.register("q", 10_000);
        assertThat(first.first()).isTrue();
        assertThat(retry.first()).isFalse();
        assertThat(pending.complete("q", "answer")).isTrue();
        assertThat(first.answer().get()).isEqualTo("answer");
        assertThat(retry.answer().get()).isEqualTo("answer");
        assertThat(pending.complete("q", "again")).isFalse();
        PendingAnswers.Wait<String> late = pending.register("late", 50);
        assertThatThrownBy(() -> late.answer().get()).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
        org.awaitility.Awaitility.await().until(() -> pending.size() == 0);
    }

    private static AnswerEvent failed(String error) {
        return new AnswerEvent("q", "default", AnswerEvent.Status.FAILED, null, null, null, null, BigDecimal.ZERO, 1,
                List.of(), error);
    }
}
