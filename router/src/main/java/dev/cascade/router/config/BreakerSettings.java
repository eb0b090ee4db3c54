package dev.cascade.router.config;

import java.time.Duration;

/**
 * Circuit-breaker settings of one tier (resilience4j count-based sliding window).
 *
 * @param failureRatePercent failure rate (errors and time-outs) at which the breaker opens
 * @param slidingWindow      calls the failure rate is measured over
 * @param minimumCalls       calls needed before the rate is judged
 * @param openFor            how long the breaker stays open before half-open probes
 * @param halfOpenCalls      probe calls allowed while half-open
 */
public record BreakerSettings(int failureRatePercent, int slidingWindow, int minimumCalls, Duration openFor,
                              int halfOpenCalls) {
    public static BreakerSettings defaults() {
        return new BreakerSettings(50, 20, 10, Duration.ofSeconds(10), 3);
    }

    static BreakerSettings from(Fields f) {
        BreakerSettings d = defaults();
        BreakerSettings s = new BreakerSettings(
                (int) f.integer("failure_rate_threshold", d.failureRatePercent(), 1, 100),
                (int) f.integer("sliding_window", d.slidingWindow(), 1, 10_000),
                (int) f.integer("minimum_calls", d.minimumCalls(), 1, 10_000),
                Duration.ofMillis(f.integer("open_ms", d.openFor().toMillis(), 1, 86_400_000)),
                (int) f.integer("half_open_calls", d.halfOpenCalls(), 1, 1_000));
        f.rejectUnknown();
        return s;
    }
}
