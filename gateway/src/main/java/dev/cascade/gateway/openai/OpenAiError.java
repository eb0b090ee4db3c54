package dev.cascade.gateway.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;

/**
 * An error answered in OpenAI's shape: {@code {"error":{"message","type","param","code"}}} with an HTTP status.
 * {@code retry} says whether a client should try again (sent as {@code x-should-retry}, which the official SDKs
 * honour). The message never contains an API key.
 */
public final class OpenAiError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final boolean retry;

    public OpenAiError(int status, String type, String code, String param, String message, boolean retry) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retry = retry;
    }

    /** 400: the request is wrong; {@code param} names the field. */
    public static OpenAiError invalid(String param, String message) {
        return new OpenAiError(400, "invalid_request_error", "invalid_value", param, message, false);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public boolean retry() {
        return retry;
    }

    public String toJson() {
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        try {
            return Json.mapper().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write an error as JSON", e);
        }
    }
}
