package dev.cascade.gateway.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.AnswerEvent;
import dev.cascade.events.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns an answer into what an OpenAI client expects: a {@code chat.completion}, or server-sent
 * {@code chat.completion.chunk} events ending with {@code data: [DONE]}, or an error for a {@code FAILED} answer;
 * plus a {@code cascade} object and {@code x-cascade-*} headers (route, tier, confidence, cost, attempts). Only an
 * answer the router accepted ever reaches this class, so no token of a rejected tier is streamed. Stateless.
 */
public final class ChatResponses {
    /** Text pieces a streamed answer is cut into (at word boundaries) at most. */
    static final int MAX_PIECES = 64;

    private ChatResponses() {
    }

    /** The OpenAI id of the completion for a query id. */
    public static String completionId(String queryId) {
        return "chatcmpl-" + queryId;
    }

    /** The error a {@code FAILED} answer maps to: 504 for a deadline, 503 for overload, 502 otherwise. */
    public static OpenAiError failure(AnswerEvent a) {
        String reason = a.error() == null ? "the cascade failed" : a.error();
        String lower = reason.toLowerCase(Locale.ROOT);
        if (lower.contains("deadline")) {
            return new OpenAiError(504, "timeout_error", "deadline_exceeded", null, reason, false);
        }
        if (lower.contains("overloaded")) {
            return new OpenAiError(503, "server_error", "overloaded", null, reason, true);
        }
        return new OpenAiError(502, "api_error", "cascade_failed", null, reason, false);
    }

    /** The {@code x-cascade-*} response headers. */
    public static Map<String, String> headers(Reply r) {
        AnswerEvent a = r.answer();
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-cascade-query-id", a.id());
        put(h, "x-cascade-route", a.route());
        put(h, "x-cascade-tier", a.tier());
        put(h, "x-cascade-confidence", a.confidence() == null ? null : a.confidence().toString());
        put(h, "x-cascade-cost-usd", a.costUsd() == null ? null : a.costUsd().toPlainString());
        if (a.attempts() != null) {
            List<String> attempts = new ArrayList<>();
            a.attempts().forEach(t -> attempts.add(t.tier() + ":" + t.outcome()));
            h.put("x-cascade-attempts", String.join(",", attempts));
        }
        if (r.replayed()) {
            h.put("x-cascade-replayed", "true");
        }
        return h;
    }

    private static void put(Map<String, String> h, String name, String value) {
        if (value != null) {
            h.put(name, value);
        }
    }

    /** A whole {@code chat.completion} body. */
    public static String completion(Reply r, long createdEpochSeconds) {
        ObjectNode root = base(r, "chat.completion", createdEpochSeconds);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", r.answer().content());
        choice.putNull("logprobs");
        choice.put("finish_reason", "stop");
        root.set("cascade", cascade(r));
        return write(root);
    }

    /** Server-sent events: the role, the answer's text in pieces, the finish with the cascade object, [DONE]. */
    public static String events(Reply r, long createdEpochSeconds, boolean includeUsage) {
        StringBuilder out = new StringBuilder();
        ObjectNode first = chunk(r, createdEpochSeconds);
        ((ObjectNode) first.get("choices").get(0)).putObject("delta").put("role", "assistant").put("content", "");
        event(out, first);
        for (String piece : pieces(r.answer().content() == null ? "" : r.answer().content())) {
            ObjectNode c = chunk(r, createdEpochSeconds);
            ((ObjectNode) c.get("choices").get(0)).putObject("delta").put("content", piece);
            event(out, c);
        }
        ObjectNode last = chunk(r, createdEpochSeconds);
        ObjectNode choice = (ObjectNode) last.get("choices").get(0);
        choice.putObject("delta");
        choice.put("finish_reason", "stop");
        last.set("cascade", cascade(r));
        event(out, last);
        if (includeUsage) {
            // usage chunk: OpenAI sends it with empty choices; token counts are not on the answer record yet
            ObjectNode usage = base(r, "chat.completion.chunk", createdEpochSeconds);
            usage.putArray("choices");
            usage.putNull("usage");
            event(out, usage);
        }
        out.append("data: [DONE]\n\n");
        return out.toString();
    }

    static List<String> pieces(String text) {
        String[] words = text.split("(?<=\\s)");
        int per = Math.max(1, (words.length + MAX_PIECES - 1) / MAX_PIECES);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < words.length; i += per) {
            out.add(String.join("", java.util.Arrays.asList(words).subList(i, Math.min(words.length, i + per))));
        }
        if (out.size() == 1 && out.get(0).isEmpty()) {
            return List.of();
        }
        return out;
    }

    private static void event(StringBuilder out, ObjectNode data) {
        out.append("data: ").append(write(data)).append("\n\n");
    }

    /** Through the shared mapper, so money stays in plain notation. */
    private static String write(ObjectNode node) {
        try {
            return Json.mapper().writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response as JSON", e);
        }
    }

    private static ObjectNode chunk(Reply r, long created) {
        ObjectNode c = base(r, "chat.completion.chunk", created);
        c.putArray("choices").addObject().put("index", 0).putNull("finish_reason");
        return c;
    }

    private static ObjectNode base(Reply r, String object, long created) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("id", completionId(r.answer().id()));
        root.put("object", object);
        root.put("created", created);
        root.put("model", r.answer().model());
        return root;
    }

    private static ObjectNode cascade(Reply r) {
        AnswerEvent a = r.answer();
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("query_id", a.id());
        c.put("route", a.route());
        c.put("tier", a.tier());
        c.put("confidence", a.confidence());
        c.put("cost_usd", a.costUsd());
        c.put("latency_ms", a.latencyMs());
        c.put("replayed", r.replayed());
        ArrayNode attempts = c.putArray("attempts");
        if (a.attempts() != null) {
            a.attempts().forEach(t -> attempts.add(Json.mapper().valueToTree(t)));
        }
        return c;
    }
}
