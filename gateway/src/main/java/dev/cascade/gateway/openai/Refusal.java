package dev.cascade.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.DeadLetterHeaders;
import dev.cascade.events.Json;
import java.io.IOException;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;

/**
 * A query of this instance that the router refused (a record on its dead-letter topic whose {@code reply_to} is this
 * instance's reply topic), and the error its requests get: 409 for an id already being answered (a retry that came
 * before the first call's answer: try again later), 502 with the router's reason otherwise. Immutable.
 */
public record Refusal(String id, OpenAiError error) {

    /**
     * The refusal a dead letter means for this instance; empty when the refused record is not one of its queries
     * (another instance's, another producer's, or not a query at all).
     */
    public static Optional<Refusal> of(byte[] value, Headers headers, String replyTopic) {
        if (value == null) {
            return Optional.empty();
        }
        JsonNode query;
        try {
            query = Json.mapper().readTree(value);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (query == null || !query.path("reply_to").asText("").equals(replyTopic) || !query.path("id").isTextual()) {
            return Optional.empty();
        }
        String reason = DeadLetterHeaders.read(headers, DeadLetterHeaders.REASON);
        String detail = DeadLetterHeaders.read(headers, DeadLetterHeaders.DETAIL);
        OpenAiError error = "duplicate_in_flight".equals(reason)
                ? new OpenAiError(409, "invalid_request_error", "request_in_progress", null, "a request with this "
                + "Idempotency-Key is still being answered; retry with the same key later", true)
                : new OpenAiError(502, "api_error", "query_refused", null, "the router refused the query ("
                + reason + ")" + (detail == null ? "" : ": " + detail), false);
        return Optional.of(new Refusal(query.get("id").asText(), error));
    }
}
