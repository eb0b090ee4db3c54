package dev.cascade.simulator;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of one simulated model. Thread-safe. */
final class ModelStats {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong verifications = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong inFlight = new AtomicLong();
    final AtomicLong maxInFlight = new AtomicLong();
    volatile String credential;
}
