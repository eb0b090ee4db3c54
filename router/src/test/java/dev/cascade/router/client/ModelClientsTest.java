package dev.cascade.router.client;

import dev.cascade.events.ChatMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.cascade.core.ConfidenceMethod;
import dev.cascade.simulator.ModelBehaviour;
import dev.cascade.simulator.ModelSimulator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The adapters against real HTTP servers on loopback. */
class ModelClientsTest {
    private static final int MAX_BODY = 512 * 1024;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ModelRequest request = new ModelRequest(List.of(new ChatMessage("system", "be brief"),
            new ChatMessage("user", "hello")), 16, 0.0);

    @Test
    void shouldReadAnthropicMessagesAnswerAndUsage() throws Exception {
        try (ModelSimulator sim = ModelSimulator.start(0, Map.of("claude-sim",
                new ModelBehaviour(1.0, 0, 0.9, 0.9, 0, 0, ModelBehaviour.Mode.OK, 1000)))) {
            ModelReply reply = new AnthropicClient(http, URI.create(sim.baseUrl()), "claude-sim",
                    Duration.ofSeconds(5), "key", MAX_BODY).complete(request).join();
            assertThat(reply.content()).contains("claude-sim");
            assertThat(reply.promptTokens()).isPositive();
            assertThat(reply.completionTokens()).isPositive();
            assertThat(reply.confidence()).isNull();
        }
    }

    @Test
    void shouldSendBearerKeyAndRequestLogprobs() throws Exception {
        AtomicReference<String> auth = new AtomicReference<>();
        AtomicReference<String> body = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", ex -> {
            auth.set(ex.getRequestHeaders().getFirst("Authorization"));
            body.set(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] out = ("{\"choices\":[{\"message\":{\"content\":\"hi\"},\"logprobs\":{\"content\":["
                    + "{\"token\":\"hi\",\"logprob\":" + Math.log(0.5) + "}]}}],"
                    + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
            ModelReply reply = new OpenAiChatClient(http, base, "m", ConfidenceMethod.LOGPROBS, Duration.ofSeconds(5),
                    "sk-test", MAX_BODY).complete(request).join();
            assertThat(auth.get()).isEqualTo("Bearer sk-test");
            assertThat(body.get()).contains("\"logprobs\":true").contains("\"max_tokens\":16");
            assertThat(reply.confidence()).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(reply.promptTokens()).isEqualTo(3);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void shouldFailWithoutEchoingKeyWhenServerErrs() throws Exception {
        try (ModelSimulator sim = ModelSimulator.start(0, Map.of("m",
                new ModelBehaviour(1.0, 0, 0.9, 0.9, 0, 0, ModelBehaviour.Mode.FAIL, 1000)))) {
            assertThatThrownBy(() -> new OpenAiChatClient(http, URI.create(sim.baseUrl() + "/v1"), "m",
                    ConfidenceMethod.LOGPROBS, Duration.ofSeconds(5), "sk-secret-123", MAX_BODY)
                    .complete(request).join())
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(ModelCallException.class)
                    .hasMessageContaining("HTTP 500")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-secret-123"));
        }
    }
}
