package dev.cascade.router.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/** One tier's answer to a shadow-sampled query, served or not. */
public record ShadowReply(@JsonProperty("tier") String tier,
                          @JsonProperty("model") String model,
                          @JsonProperty("answer") String answer,
                          @JsonProperty("confidence") Double confidence,
                          @JsonProperty("prompt_tokens") long promptTokens,
                          @JsonProperty("completion_tokens") long completionTokens,
                          @JsonProperty("latency_ms") long latencyMs,
                          @JsonProperty("cost_usd") BigDecimal costUsd,
                          @JsonProperty("served") boolean served) {
}
