package dev.cascade.core;

import dev.cascade.events.Outcome;
import java.util.function.IntToDoubleFunction;

/**
 * What the cascade does after one tier call: the attempt's outcome and the next action.
 *
 * @param outcome outcome recorded on the attempt
 * @param action  serve this tier's answer, try the next tier, or fail the query
 */
public record Decision(Outcome outcome, Action action) {
    /** The next step for the query. */
    public enum Action { ANSWER, NEXT_TIER, FAIL }

    /**
     * Decides for the call at tier {@code index} of {@code policy}. An answer is accepted when its confidence reaches
     * the threshold (a missing confidence reaches only a threshold of 0) or the tier is terminal; errors, time-outs
     * and open breakers fall through to the next tier, and fail the query only at the terminal tier.
     */
    public static Decision decide(RoutePolicy policy, int index, CallResult result) {
        boolean terminal = policy.isTerminal(index);
        return switch (result.kind()) {
            case ANSWERED -> {
                Double threshold = policy.step(index).threshold();
                boolean accepted = terminal || reaches(result.confidence(), threshold);
                yield accepted ? new Decision(Outcome.ACCEPTED, Action.ANSWER)
                        : new Decision(Outcome.ESCALATED, Action.NEXT_TIER);
            }
            case ERROR -> fallThrough(Outcome.ERROR, terminal);
            case TIMEOUT -> fallThrough(Outcome.TIMEOUT, terminal);
            case SHORT_CIRCUITED -> fallThrough(Outcome.SHORT_CIRCUITED, terminal);
        };
    }

    /**
     * The tier that serves a query when every tier would answer, tier {@code i} with {@code confidence.applyAsDouble(i)}:
     * the first whose answer {@link #decide} accepts. The terminal tier accepts any answer, so this is always a tier
     * of the policy. The one replay rule of what-if and the calibrator.
     */
    public static int servingTier(RoutePolicy policy, IntToDoubleFunction confidence) {
        for (int i = 0; i < policy.tiers().size(); i++) {
            if (decide(policy, i, CallResult.answered(confidence.applyAsDouble(i))).action() == Action.ANSWER) {
                return i;
            }
        }
        throw new IllegalStateException("the terminal tier of " + policy.route() + " refused an answer");
    }

    private static boolean reaches(Double confidence, Double threshold) {
        if (threshold == null) {
            return true;
        }
        double c = confidence == null ? 0.0 : confidence;
        return c >= threshold;
    }

    private static Decision fallThrough(Outcome outcome, boolean terminal) {
        return new Decision(outcome, terminal ? Action.FAIL : Action.NEXT_TIER);
    }
}
