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

    /** The reply of an answered call; {@code result} must carry a reply. */
    static ShadowReply of(String tier, String model, TierResult result, boolean served) {
        return new ShadowReply(tier, model, result.reply().content(), result.reply().confidence(),
                result.promptTokens(), result.completionTokens(), result.latencyMs(), result.costUsd(), served);
    }
}
