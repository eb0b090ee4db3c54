package dev.cascade.ctl.calibration;

import java.math.BigDecimal;

/** What one model answered to one query in a cascade-outcomes file. */
public record ModelOutcome(boolean correct, double confidence, long promptTokens, long completionTokens,
                           double latencyMs, BigDecimal costUsd) {
}
