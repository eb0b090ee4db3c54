package dev.cascade.gateway.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.ChatMessage;
import dev.cascade.events.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code POST /v1/chat/completions} body, validated against what a cascade query can carry. Anything the cascade
 * cannot honour (tools, several choices, images) is refused with a 400 naming the field, never silently dropped;
 * sampling knobs the tiers do not take ({@code top_p}, {@code seed}, ...) are ignored. Immutable.
 *
 * @param route        the {@code model} of the request: a route's name
 * @param temperature  as sent (kept exact), null when absent
 * @param metadata     OpenAI {@code metadata} plus {@code user}, strings only
 * @param includeUsage {@code stream_options.include_usage}
 */
public record ChatRequest(String route, List<ChatMessage> messages, Integer maxTokens, BigDecimal temperature,
                          Map<String, String> metadata, boolean stream, boolean includeUsage) {
    private static final Set<String> REFUSED = Set.of("tools", "functions", "tool_choice", "function_call",
            "audio", "prediction", "web_search_options");
    private static final BigDecimal MAX_TEMPERATURE = BigDecimal.valueOf(2);
    private static final Map<String, String> ROLES = Map.of("system", "system", "developer", "system",
            "user", "user", "assistant", "assistant");

    public ChatRequest {
        messages = List.copyOf(messages);
        metadata = Map.copyOf(metadata);
    }

    /** Parses and validates a request body; {@code routes} are the models this gateway offers. */
    public static ChatRequest parse(byte[] body, List<String> routes) throws OpenAiError {
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw OpenAiError.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw OpenAiError.invalid(null, "the body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw OpenAiError.invalid(null, "the body must be a JSON object");
        }
        for (String field : REFUSED) {
            if (root.hasNonNull(field)) {
                throw OpenAiError.invalid(field, "'" + field + "' is not supported by the cascade gateway");
            }
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw OpenAiError.invalid("model", "'model' is required: the name of a route, one of " + routes);
        }
        if (!routes.contains(model.asText())) {
            throw new OpenAiError(404, "invalid_request_error", "model_not_found", "model", "the model '"
                    + cut(model.asText()) + "' does not exist; the models are the routes " + routes, false);
        }
        JsonNode n = root.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asInt() == 1)) {
            throw OpenAiError.invalid("n", "'n' must be 1: the cascade serves one answer");
        }
        Integer maxTokens = positiveInt(root, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = positiveInt(root, "max_tokens");
        }
        BigDecimal temperature = null;
        JsonNode t = root.get("temperature");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || t.decimalValue().signum() < 0 || t.decimalValue().compareTo(MAX_TEMPERATURE) > 0) {
                throw OpenAiError.invalid("temperature", "'temperature' must be a number in [0, 2]");
            }
            temperature = t.decimalValue();
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) {
                throw OpenAiError.invalid("metadata", "'metadata' must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw OpenAiError.invalid("metadata", "metadata '" + cut(e.getKey()) + "' must be a string");
                }
                metadata.put(e.getKey(), e.getValue().asText());
            }
        }
        if (root.path("user").isTextual()) {
            metadata.putIfAbsent("user", root.get("user").asText());
        }
        JsonNode stream = root.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw OpenAiError.invalid("stream", "'stream' must be true or false");
        }
        return new ChatRequest(model.asText(), messages(root.get("messages")), maxTokens, temperature, metadata,
                stream != null && stream.asBoolean(), root.path("stream_options").path("include_usage").asBoolean());
    }

    private static List<ChatMessage> messages(JsonNode messages) throws OpenAiError {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw OpenAiError.invalid("messages", "'messages' must be a non-empty array");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            String role = ROLES.get(m.path("role").asText(""));
            if (role == null) {
                throw OpenAiError.invalid(where + ".role", where + ".role must be system, developer, user or "
                        + "assistant (tool calls are not supported)");
            }
            out.add(new ChatMessage(role, content(m.get("content"), where)));
        }
        return out;
    }

    /** A string, or an array of text parts joined; any other part (image, audio, file) is refused. */
    private static String content(JsonNode content, String where) throws OpenAiError {
        if (content != null && content.isTextual()) {
            return checked(content.asText(), where);
        }
        if (content == null || !content.isArray()) {
            throw OpenAiError.invalid(where + ".content", where + ".content must be a string or an array of text "
                    + "parts");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
                throw OpenAiError.invalid(where + ".content", where + ".content may hold text parts only");
            }
            text.append(part.get("text").asText());
        }
        return checked(text.toString(), where);
    }

    /** JSON allows a lone surrogate escape; such text cannot travel as UTF-8, so it is refused here. */
    private static String checked(String text, String where) throws OpenAiError {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw OpenAiError.invalid(where + ".content", where + ".content holds an unpaired UTF-16 surrogate");
            }
        }
        return text;
    }

    private static Integer positiveInt(JsonNode root, String field) throws OpenAiError {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            throw OpenAiError.invalid(field, "'" + field + "' must be a positive integer");
        }
        return v.asInt();
    }

    /**
     * The query for {@code cascade.queries}: the contract's fields only.
     *
     * @param deadlineMs relative deadline, null to send none
     */
    public byte[] toQuery(String id, String tenant, String replyTo, Long deadlineMs) {
        ObjectNode q = Json.mapper().createObjectNode();
        q.put("id", id);
        q.put("route", route);
        ArrayNode list = q.putArray("messages");
        messages.forEach(m -> list.addObject().put("role", m.role()).put("content", m.content()));
        if (maxTokens != null) {
            q.put("max_tokens", maxTokens);
        }
        if (temperature != null) {
            q.put("temperature", temperature);
        }
        q.put("tenant", tenant);
        if (!metadata.isEmpty()) {
            ObjectNode meta = q.putObject("metadata");
            metadata.forEach(meta::put);
        }
        q.put("reply_to", replyTo);
        if (deadlineMs != null) {
            q.put("deadline_ms", deadlineMs);
        }
        try {
            return Json.mapper().writeValueAsBytes(q);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a query as JSON", e);
        }
    }

    private static String cut(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
