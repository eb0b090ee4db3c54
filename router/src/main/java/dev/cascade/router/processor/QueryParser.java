package dev.cascade.router.processor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.events.ChatMessage;
import dev.cascade.core.RoutePolicy;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.model.ParseResult;
import dev.cascade.router.model.Query;
import dev.cascade.router.model.RejectReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates the bytes of a {@code cascade.queries} record against the public contract. Pure and thread-safe.
 */
public final class QueryParser {
    static final int MAX_ID_LENGTH = 256;
    private static final Set<String> FIELDS = Set.of("id", "route", "messages", "prompt", "max_tokens",
            "temperature", "tenant", "metadata", "reply_to", "deadline_ms");
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final int maxBytes;
    private final ReplyRules replyRules;

    /**
     * @param maxBytes     largest accepted value
     * @param replyToAllow glob patterns ({@code *} matches any run of characters) a {@code reply_to} must match
     */
    public QueryParser(int maxBytes, List<String> replyToAllow) {
        this(maxBytes, new ReplyRules(replyToAllow, List.of()));
    }

    /** @param replyRules which reply topics and tenant a query may name, by the topic it was read from */
    public QueryParser(int maxBytes, ReplyRules replyRules) {
        this.maxBytes = maxBytes;
        this.replyRules = replyRules;
    }

    /** The largest accepted value, in bytes. */
    public int maxBytes() {
        return maxBytes;
    }

    /** Parses a value read from the shared queries topic. */
    public ParseResult parse(byte[] value) {
        return parse(value, null);
    }

    /** Parses a value read from {@code source} (a tenant's queries topic, or null for the shared one). */
    public ParseResult parse(byte[] value, String source) {
        if (value == null || value.length == 0) {
            return reject(RejectReason.EMPTY_VALUE, "record has no value");
        }
        if (value.length > maxBytes) {
            return reject(RejectReason.TOO_LARGE, "value is " + value.length + " bytes; the limit is " + maxBytes);
        }
        JsonNode root;
        try (JsonParser parser = Json.mapper().createParser(value)) {
            root = Json.mapper().readTree(parser);
            if (root != null && parser.nextToken() != null) {
                return reject(RejectReason.NOT_JSON, "trailing content after the JSON value");
            }
        } catch (JsonProcessingException e) {
            return reject(RejectReason.NOT_JSON, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return reject(RejectReason.NOT_JSON, "not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            return reject(RejectReason.NOT_JSON, "value must be a JSON object");
        }
        JsonNode id = root.get("id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            return reject(RejectReason.MISSING_ID, "'id' must be a non-empty string");
        }
        if (id.asText().length() > MAX_ID_LENGTH) {
            return reject(RejectReason.MISSING_ID, "'id' is longer than " + MAX_ID_LENGTH + " characters");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                return reject(RejectReason.INVALID_FIELD, "unknown field '" + truncate(field) + "'");
            }
        }
        Object messages = messages(root);
        if (messages instanceof ParseResult.Rejected r) {
            return r;
        }
        @SuppressWarnings("unchecked")
        List<ChatMessage> chat = (List<ChatMessage>) messages;
        Integer maxTokens = null;
        JsonNode mt = root.get("max_tokens");
        if (mt != null && !mt.isNull()) {
            if (!mt.canConvertToInt() || !mt.isIntegralNumber() || mt.asInt() < 1) {
                return reject(RejectReason.INVALID_FIELD, "'max_tokens' must be a positive integer");
            }
            maxTokens = mt.asInt();
        }
        Double temperature = null;
        JsonNode temp = root.get("temperature");
        if (temp != null && !temp.isNull()) {
            if (!temp.isNumber() || temp.asDouble() < 0 || temp.asDouble() > 2) {
                return reject(RejectReason.INVALID_FIELD, "'temperature' must be a number in [0, 2]");
            }
            temperature = temp.asDouble();
        }
        Long deadlineMs = null;
        JsonNode deadline = root.get("deadline_ms");
        if (deadline != null && !deadline.isNull()) {
            if (!deadline.isIntegralNumber() || !deadline.canConvertToLong() || deadline.asLong() < 1
                    || deadline.asLong() > RoutePolicy.MAX_DEADLINE_MS) {
                return reject(RejectReason.INVALID_FIELD, "'deadline_ms' must be a whole number of milliseconds in "
                        + "[1, " + RoutePolicy.MAX_DEADLINE_MS + "]");
            }
            deadlineMs = deadline.asLong();
        }
        for (String field : List.of("route", "tenant", "reply_to")) {
            JsonNode v = root.get(field);
            if (v != null && !v.isNull() && !v.isTextual()) {
                return reject(RejectReason.INVALID_FIELD, "'" + field + "' must be a string");
            }
        }
        String route = optionalText(root, "route");
        String tenant = optionalText(root, "tenant");
        String replyTo = optionalText(root, "reply_to");
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) {
                return reject(RejectReason.INVALID_FIELD, "'metadata' must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    return reject(RejectReason.INVALID_FIELD, "'metadata." + truncate(e.getKey())
                            + "' must be a string");
                }
                metadata.put(e.getKey(), e.getValue().asText());
            }
        }
        if (replyTo != null && !TOPIC_NAME.matcher(replyTo).matches()) {
            return reject(RejectReason.REPLY_TO_NOT_ALLOWED, "reply_to '" + truncate(replyTo)
                    + "' is not a topic the router may write answers to");
        }
        String replyRefusal = replyRules.replyRefusal(source, replyTo);
        if (replyRefusal != null) {
            return reject(RejectReason.REPLY_TO_NOT_ALLOWED, replyRefusal);
        }
        String tenantRefusal = replyRules.tenantRefusal(source, tenant);
        if (tenantRefusal != null) {
            return reject(RejectReason.INVALID_FIELD, truncate(tenantRefusal));
        }
        return new ParseResult.Valid(new Query(id.asText(), route, new ModelRequest(chat, maxTokens, temperature),
                replyRules.tenantOf(source, tenant), Map.copyOf(metadata), replyTo, deadlineMs));
    }

    private static Object messages(JsonNode root) {
        JsonNode messages = root.get("messages");
        JsonNode prompt = root.get("prompt");
        if (messages != null && prompt != null) {
            return reject(RejectReason.INVALID_MESSAGES, "give 'messages' or 'prompt', not both");
        }
        if (messages == null) {
            if (prompt == null || !prompt.isTextual() || prompt.asText().isEmpty()) {
                return reject(RejectReason.INVALID_MESSAGES,
                        "a query needs a non-empty 'messages' array or a non-empty 'prompt' string");
            }
            if (hasUnpairedSurrogate(prompt.asText())) {
                return reject(RejectReason.INVALID_MESSAGES, "'prompt' contains an unpaired UTF-16 surrogate escape");
            }
            return List.of(new ChatMessage("user", prompt.asText()));
        }
        if (!messages.isArray() || messages.isEmpty()) {
            return reject(RejectReason.INVALID_MESSAGES, "'messages' must be a non-empty array");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject() || !m.path("role").isTextual() || !m.path("content").isTextual()) {
                return reject(RejectReason.INVALID_MESSAGES, "messages[" + i
                        + "] must be an object with string 'role' and 'content'");
            }
            String role = m.get("role").asText();
            if (!ROLES.contains(role)) {
                return reject(RejectReason.INVALID_MESSAGES, "messages[" + i + "].role must be system, user or "
                        + "assistant");
            }
            if (m.size() != 2) {
                return reject(RejectReason.INVALID_MESSAGES, "messages[" + i + "] has fields other than role and "
                        + "content");
            }
            if (hasUnpairedSurrogate(m.get("content").asText())) {
                return reject(RejectReason.INVALID_MESSAGES, "messages[" + i + "].content contains an unpaired "
                        + "UTF-16 surrogate escape");
            }
            out.add(new ChatMessage(role, m.get("content").asText()));
        }
        return out;
    }

    /** JSON allows "\\ud800" alone; such text cannot be sent on as UTF-8, so it is refused here, not at a tier. */
    static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return v.asText();
    }

    private static String truncate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private static ParseResult.Rejected reject(RejectReason reason, String detail) {
        return new ParseResult.Rejected(reason, detail);
    }
}
