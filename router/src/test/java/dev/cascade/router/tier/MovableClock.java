package dev.cascade.router.tier;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock for tests: another clock (fixed, or the system's so real latencies still show) plus an offset the test
 * moves forward, as a breaker's open time or a deadline passes without waiting for it. Thread-safe.
 */
public final class MovableClock extends Clock {
    private final Clock base;
    private final AtomicReference<Duration> offset;

    private MovableClock(Clock base, AtomicReference<Duration> offset) {
        this.base = base;
        this.offset = offset;
    }

    public MovableClock(Clock base) {
        this(base, new AtomicReference<>(Duration.ZERO));
    }

    /** Moves this clock (and every copy made by {@link #withZone}) forward. */
    public void advance(Duration by) {
        offset.accumulateAndGet(by, Duration::plus);
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset.get());
    }

    @Override
    public ZoneId getZone() {
        return base.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new MovableClock(base.withZone(zone), offset);
    }
}
