package dev.cascade.router.client;

import dev.cascade.events.ChatMessage;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The Anthropic Messages API ({@code POST {base}/v1/messages}). It gives no logprobs, so an Anthropic tier is a
 * terminal tier (confidence method {@code none}). System messages go to the top-level {@code system} field.
 */
public final class AnthropicClient implements ModelClient {
    static final String API_VERSION = "2023-06-01";
    static final int DEFAULT_MAX_TOKENS = 1024;

    private final HttpJson endpoint;
    private final String model;

    /** @param maxResponseBytes the largest response body read; a larger one fails the call */
    public AnthropicClient(HttpClient http, URI baseUrl, String model, Duration timeout, String apiKey,
                           int maxResponseBytes) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("anthropic-version", API_VERSION);
        if (apiKey != null) {
            h.put("x-api-key", apiKey);
        }
        this.endpoint = new HttpJson(http, URI.create(baseUrl + "/v1/messages"), h, timeout, maxResponseBytes,
                Redactor.of(apiKey));
        this.model = model;
    }

    @Override
    public CompletableFuture<ModelReply> complete(ModelRequest request) {
        StringBuilder system = new StringBuilder();
        List<ChatMessage> messages = new ArrayList<>();
        for (ChatMessage m : request.messages()) {
            if ("system".equals(m.role())) {
                system.append(system.length() == 0 ? "" : "\n").append(m.content());
            } else {
                messages.add(m);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("max_tokens", request.maxTokens() == null ? DEFAULT_MAX_TOKENS : request.maxTokens());
        if (system.length() > 0) {
            body.put("system", system.toString());
        }
        body.put("messages", messages);
        if (request.temperature() != null) {
            body.put("temperature", Math.min(1.0, request.temperature()));
        }
        CompletableFuture<ModelReply> call = new CompletableFuture<>();
        return HttpJson.relay(endpoint.post(body, call).thenApply(json -> {
            StringBuilder text = new StringBuilder();
            for (JsonNode block : json.path("content")) {
                if ("text".equals(block.path("type").asText())) {
                    text.append(block.path("text").asText());
                }
            }
            if (!json.has("content")) {
                throw new ModelCallException("response has no content");
            }
            JsonNode usage = json.path("usage");
            return new ModelReply(text.toString(), HttpJson.tokens(usage, "input_tokens"),
                    HttpJson.tokens(usage, "output_tokens"), null);
        }), call);
    }
}
