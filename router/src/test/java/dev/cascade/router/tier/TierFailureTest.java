package dev.cascade.router.tier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.core.CallResult;
import dev.cascade.events.ChatMessage;
import dev.cascade.router.client.ModelClient;
import dev.cascade.router.client.ModelReply;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.RouterConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Whatever a client does, a tier call ends as a {@link TierResult} (the processor drops a failed future): the slot is
 * given back once and the breaker counts a failure.
 */
class TierFailureTest {
    private static final ModelRequest REQUEST = new ModelRequest(List.of(new ChatMessage("user", "hi")), null, null);

    private static Tier tier(ModelClient client) {
        Map<String, Object> tier = Map.of("base_url", "http://127.0.0.1:1/v1", "model", "m", "max_in_flight", 1,
                "pricing", Map.of("input_usd_per_1m_tokens", "1", "output_usd_per_1m_tokens", "1"));
        return Tiers.withClients(RouterConfig.from(Map.of("tiers", Map.of("t", tier)), Map.of(), "test")
                .tiers().values(), name -> client, null).get("t");
    }

    private static TierResult call(Tier tier) throws Exception {
        assertThat(tier.tryAcquire()).isEqualTo(Tier.Permit.PERMITTED);
        TierResult result = tier.call(REQUEST).get(5, TimeUnit.SECONDS);
        assertThat(result.kind()).isEqualTo(CallResult.Kind.ERROR);
        assertThat(tier.bulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(1);
        assertThat(tier.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
        assertThat(tier.breaker().getMetrics().getNumberOfSuccessfulCalls()).isZero();
        return result;
    }

    @Test
    void shouldMakeAnErrorOfAReplyWithNegativeTokenCounts() throws Exception {
        TierResult result = call(tier(request -> CompletableFuture.completedFuture(new ModelReply("hi", -5, 1, 0.9))));
        assertThat(result.error()).contains("invalid usage");
        assertThat(result.costUsd()).isZero();
    }

    @Test
    void shouldMakeAnErrorOfAClientThatThrowsOrReturnsNothing() throws Exception {
        assertThat(call(tier(request -> {
            throw new IllegalStateException("boom Bearer sk-abcdefgh12345");
        })).error()).contains("boom").doesNotContain("sk-abcdefgh12345");
        assertThat(call(tier(request -> null)).error()).isNotBlank();
        assertThat(call(tier(request -> CompletableFuture.completedFuture(null))).error()).contains("no reply");
    }
}
