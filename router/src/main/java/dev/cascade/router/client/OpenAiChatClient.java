package dev.cascade.router.client;

import dev.cascade.events.ChatMessage;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.core.Confidence;
import dev.cascade.core.ConfidenceMethod;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * OpenAI-compatible chat completions ({@code POST {base}/chat/completions}), as served by OpenAI, vLLM, TGI,
 * llama.cpp and Ollama. Requests logprobs where the confidence method needs them; for {@code verify} it makes a
 * second one-token call asking whether the answer is correct and takes P(yes). Tokens of both calls are billed.
 */
public final class OpenAiChatClient implements ModelClient {
    static final String VERIFY_INSTRUCTION = "Is the proposed answer to the question above correct? "
            + "Reply with exactly one word: yes or no.";

    private final HttpJson endpoint;
    private final String model;
    private final ConfidenceMethod method;

    /** @param maxResponseBytes the largest response body read; a larger one fails the call */
    public OpenAiChatClient(HttpClient http, URI baseUrl, String model, ConfidenceMethod method, Duration timeout,
                            String apiKey, int maxResponseBytes) {
        this.endpoint = new HttpJson(http, URI.create(baseUrl + "/chat/completions"),
                apiKey == null ? Map.of() : Map.of("Authorization", "Bearer " + apiKey), timeout, maxResponseBytes,
                Redactor.of(apiKey));
        this.model = model;
        this.method = method;
    }

    @Override
    public CompletableFuture<ModelReply> complete(ModelRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("messages", request.messages());
        if (request.maxTokens() != null) {
            body.put("max_tokens", request.maxTokens());
        }
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        boolean logprobs = method == ConfidenceMethod.LOGPROBS || method == ConfidenceMethod.LOGPROBS_MIN;
        if (logprobs) {
            body.put("logprobs", true);
        }
        CompletableFuture<ModelReply> call = new CompletableFuture<>();
        CompletableFuture<ModelReply> answer = endpoint.post(body, call).thenApply(json -> {
            JsonNode choice = firstChoice(json);
            String content = choice.path("message").path("content").asText(null);
            if (content == null) {
                throw new ModelCallException("response has no choices[0].message.content");
            }
            Double confidence = null;
            if (logprobs) {
                confidence = Confidence.fromLogprobs(tokenLogprobs(choice), method == ConfidenceMethod.LOGPROBS_MIN);
                if (confidence == null) {
                    throw new ModelCallException("server returned no logprobs (does it support logprobs: true?)");
                }
            }
            JsonNode usage = json.path("usage");
            return new ModelReply(content, HttpJson.tokens(usage, "prompt_tokens"),
                    HttpJson.tokens(usage, "completion_tokens"), confidence);
        });
        if (method == ConfidenceMethod.VERIFY) {
            answer = answer.thenCompose(reply -> verify(request, reply, call));
        }
        return HttpJson.relay(answer, call);
    }

    private CompletableFuture<ModelReply> verify(ModelRequest request, ModelReply reply,
                                                 CompletableFuture<ModelReply> call) {
        List<ChatMessage> messages = new ArrayList<>(request.messages());
        messages.add(new ChatMessage("assistant", reply.content()));
        messages.add(new ChatMessage("user", VERIFY_INSTRUCTION));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("messages", messages);
        body.put("max_tokens", 1); // one token: within any tier's max_tokens cap (at least 1)
        body.put("temperature", 0);
        body.put("logprobs", true);
        body.put("top_logprobs", 5);
        return endpoint.post(body, call).thenApply(json -> {
            JsonNode first = firstChoice(json).path("logprobs").path("content").path(0);
            Map<String, Double> top = new LinkedHashMap<>();
            for (JsonNode alt : first.path("top_logprobs")) {
                top.merge(alt.path("token").asText(""), alt.path("logprob").asDouble(Double.NEGATIVE_INFINITY),
                        (a, b) -> Math.log(Math.exp(a) + Math.exp(b)));
            }
            if (top.isEmpty() && first.has("token")) {
                top.put(first.path("token").asText(""), first.path("logprob").asDouble());
            }
            Double pYes = Confidence.pYes(top);
            if (pYes == null) {
                throw new ModelCallException("verification answer had neither 'yes' nor 'no' among its top tokens");
            }
            JsonNode usage = json.path("usage");
            return new ModelReply(reply.content(),
                    reply.promptTokens() + HttpJson.tokens(usage, "prompt_tokens"),
                    reply.completionTokens() + HttpJson.tokens(usage, "completion_tokens"), pYes);
        });
    }

    private static JsonNode firstChoice(JsonNode json) {
        JsonNode choice = json.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw new ModelCallException("response has no choices");
        }
        return choice;
    }

    private static List<Double> tokenLogprobs(JsonNode choice) {
        List<Double> out = new ArrayList<>();
        for (JsonNode token : choice.path("logprobs").path("content")) {
            JsonNode lp = token.path("logprob");
            if (lp.isNumber()) {
                out.add(lp.asDouble());
            }
        }
        return out;
    }
}
