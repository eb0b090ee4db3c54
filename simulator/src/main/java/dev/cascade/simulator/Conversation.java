package dev.cascade.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reading a chat request in either API: its prompt text, and whether it is a router's verification call. Pure. */
final class Conversation {
    /** The two request formats served. */
    enum Api { OPENAI, ANTHROPIC }

    private Conversation() {
    }

    /** A verification call: one token, with the top log-probabilities of yes and no. */
    static boolean isVerification(JsonNode request, Api api) {
        return api == Api.OPENAI && request.path("max_tokens").asInt(0) == 1
                && request.path("top_logprobs").asInt(0) >= 2;
    }

    /** The request without the answer and question that a verification call appends to the conversation. */
    static JsonNode withoutVerificationTurn(JsonNode request) {
        JsonNode messages = request.path("messages");
        if (!messages.isArray() || messages.size() < 2) {
            return request;
        }
        ObjectNode trimmed = request.deepCopy();
        ArrayNode kept = trimmed.putArray("messages");
        for (int i = 0; i < messages.size() - 2; i++) {
            kept.add(messages.get(i));
        }
        return trimmed;
    }

    static String promptText(JsonNode request, Api api) {
        StringBuilder sb = new StringBuilder();
        if (api == Api.ANTHROPIC && request.has("system")) {
            sb.append(request.path("system").asText()).append('\n');
        }
        for (JsonNode m : request.path("messages")) {
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                sb.append(content.asText()).append('\n');
            } else {
                for (JsonNode part : content) {
                    sb.append(part.path("text").asText()).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
