package dev.cascade.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One chat message: role ({@code system}, {@code user} or {@code assistant}) and text. */
public record ChatMessage(@JsonProperty("role") String role, @JsonProperty("content") String content) {
}
