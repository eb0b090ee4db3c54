package dev.cascade.router.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.router.tier.TierResult;
import java.math.BigDecimal;

/** One tier's answer to a shadow-sampled query, served or not, as kept in the in-flight store. */
public record ShadowReply(@JsonProperty("tier") String tier,
                          @JsonProperty("model") String model,
                          @JsonProperty("answer") String answer,
                          @JsonProperty("confidence") Double confidence,
                          @JsonProperty("prompt_tokens") long promptTokens,
                          @JsonProperty("completion_tokens") long completionTokens,
                          @JsonProperty("latency_ms") long latencyMs,
                          @JsonProperty("cost_usd") BigDecimal costUsd,
                          @JsonProperty("served") boolean served) {

    /**
     * Longest answer kept for comparison; a longer one is cut. With {@link InFlight#MAX_KEPT_REPLY_CHARS} this bounds
     * what shadow sampling adds to an in-flight entry (at most ~400 KB even if every character needs a JSON escape).
     */
    static final int MAX_KEPT_CHARS = 16 * 1024;

    /** The reply of an answered call; {@code result} must carry a reply. */
    static ShadowReply of(String tier, String model, TierResult result, boolean served) {
        String content = result.reply().content();
        if (content != null && content.length() > MAX_KEPT_CHARS) {
            content = content.substring(0, MAX_KEPT_CHARS) + " [cut at " + MAX_KEPT_CHARS + " of " + content.length()
                    + " characters]";
        }
        return new ShadowReply(tier, model, content, result.reply().confidence(),
                result.promptTokens(), result.completionTokens(), result.latencyMs(), result.costUsd(), served);
    }
}
