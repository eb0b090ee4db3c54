package dev.cascade.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.AnswerEvent;
import dev.cascade.events.Json;
import java.io.IOException;

/**
 * An answer read from this gateway's reply topic. {@code replayed} is the router's mark on an answer served again
 * for a retried id (read from the JSON, so it is seen whether or not the contract record names it yet).
 */
public record Reply(AnswerEvent answer, boolean replayed) {

    /** Parses an answer's bytes; null when they are not an answer with an id and a status. */
    public static Reply parse(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode node = Json.mapper().readTree(value);
            if (node == null || !node.isObject()) {
                return null;
            }
            AnswerEvent answer = Json.mapper().treeToValue(node, AnswerEvent.class);
            if (answer.id() == null || answer.status() == null) {
                return null;
            }
            return new Reply(answer, node.path("replayed").asBoolean(false));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
