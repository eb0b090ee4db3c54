package dev.cascade.router.client;

import dev.cascade.events.ChatMessage;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What is sent to a tier: the query's messages and generation limits.
 *
 * @param maxTokens   completion limit, null for the server's default
 * @param temperature sampling temperature, null for the server's default
 */
public record ModelRequest(@JsonProperty("messages") List<ChatMessage> messages,
                           @JsonProperty("max_tokens") Integer maxTokens,
                           @JsonProperty("temperature") Double temperature) {
    public ModelRequest {
        messages = List.copyOf(messages);
    }
}
