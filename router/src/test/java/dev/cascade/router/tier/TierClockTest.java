package dev.cascade.router.tier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.core.CallResult;
import dev.cascade.events.ChatMessage;
import dev.cascade.router.client.ModelCallException;
import dev.cascade.router.client.ModelReply;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.RouterConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Tiers and their breakers read time from the clock handed in: the test moves it, nothing waits. */
class TierClockTest {
    private static final ModelRequest REQUEST = new ModelRequest(List.of(new ChatMessage("user", "hi")), null, null);

    private final MovableClock clock = new MovableClock(Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"),
            ZoneOffset.UTC));
    private final AtomicBoolean failing = new AtomicBoolean(true);

    private Tiers tiers() {
        Map<String, Object> tier = Map.of("base_url", "http://127.0.0.1:1/v1", "model", "m", "breaker", Map.of(
                "sliding_window", 2, "minimum_calls", 2, "failure_rate_threshold", 50, "open_ms", 600_000,
                "half_open_calls", 1));
        return Tiers.withClients(RouterConfig.from(Map.of("tiers", Map.of("t", tier)), Map.of(), "test")
                .tiers().values(), name -> request -> {
                    // the call "takes" 250 ms of the test's time
                    clock.advance(Duration.ofMillis(250));
                    return failing.get() ? CompletableFuture.failedFuture(new ModelCallException("down"))
                            : CompletableFuture.completedFuture(new ModelReply("ok", 1, 1, 0.9));
                }, null, clock);
    }

    @Test
    void shouldMeasureLatencyOnTheGivenClock() {
        failing.set(false);
        Tier tier = tiers().get("t");
        assertThat(tier.tryAcquire()).isEqualTo(Tier.Permit.PERMITTED);
        TierResult result = tier.call(REQUEST).join();
        assertThat(result.kind()).isEqualTo(CallResult.Kind.ANSWERED);
        assertThat(result.latencyMs()).isEqualTo(250);
    }

    @Test
    void shouldProbeAnOpenBreakerOnlyOnceItsOpenTimeHasPassedOnTheClock() {
        Tier tier = tiers().get("t");
        for (int i = 0; i < 2; i++) {
            assertThat(tier.tryAcquire()).isEqualTo(Tier.Permit.PERMITTED);
            assertThat(tier.call(REQUEST).join().kind()).isEqualTo(CallResult.Kind.ERROR);
        }
        assertThat(tier.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        clock.advance(Duration.ofMinutes(9));
        assertThat(tier.tryAcquire()).isEqualTo(Tier.Permit.SHORT_CIRCUITED);

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        failing.set(false);
        assertThat(tier.tryAcquire()).as("half-open probe after 10 minutes of clock time")
                .isEqualTo(Tier.Permit.PERMITTED);
        assertThat(tier.breaker().getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(tier.call(REQUEST).join().kind()).isEqualTo(CallResult.Kind.ANSWERED);
        assertThat(tier.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }
}
