package dev.cascade.router.client;

/**
 * A tier's answer.
 *
 * @param promptTokens     input tokens billed (including any verification call)
 * @param completionTokens output tokens billed (including any verification call)
 * @param confidence       measured confidence in [0,1], or null when the tier's method gives none
 */
public record ModelReply(String content, long promptTokens, long completionTokens, Double confidence) {
}
