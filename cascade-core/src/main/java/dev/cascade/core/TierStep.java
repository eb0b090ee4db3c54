package dev.cascade.core;

/**
 * One tier of a route's cascade.
 *
 * @param tier      the tier's name in the deployment config
 * @param threshold confidence in [0,1] at or above which the tier's answer is accepted; null for the terminal tier
 */
public record TierStep(String tier, Double threshold) {
    public TierStep {
        if (tier == null || tier.isBlank()) {
            throw new IllegalArgumentException("a tier step needs a tier name");
        }
        if (threshold != null && !(threshold >= 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("threshold of tier '" + tier + "' must be in [0, 1], got " + threshold);
        }
    }
}
