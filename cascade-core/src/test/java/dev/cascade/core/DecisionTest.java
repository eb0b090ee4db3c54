package dev.cascade.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.events.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionTest {
    private final RoutePolicy policy = new RoutePolicy("default", List.of(new TierStep("small", 0.8),
            new TierStep("medium", 0.7), new TierStep("general", null)));

    @Test
    void shouldAcceptWhenConfidenceReachesThreshold() {
        assertThat(Decision.decide(policy, 0, CallResult.answered(0.8)))
                .isEqualTo(new Decision(Outcome.ACCEPTED, Decision.Action.ANSWER));
    }

    @Test
    void shouldEscalateWhenConfidenceBelowThreshold() {
        assertThat(Decision.decide(policy, 0, CallResult.answered(0.79)))
                .isEqualTo(new Decision(Outcome.ESCALATED, Decision.Action.NEXT_TIER));
    }

    @Test
    void shouldTreatMissingConfidenceAsZero() {
        assertThat(Decision.decide(policy, 1, CallResult.answered(null)).outcome()).isEqualTo(Outcome.ESCALATED);
        RoutePolicy zero = new RoutePolicy("z", List.of(new TierStep("small", 0.0), new TierStep("general", null)));
        assertThat(Decision.decide(zero, 0, CallResult.answered(null)).outcome()).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void shouldAlwaysAcceptTerminalTierAnswer() {
        assertThat(Decision.decide(policy, 2, CallResult.answered(0.01)).action()).isEqualTo(Decision.Action.ANSWER);
    }

    @Test
    void shouldFallThroughOnFailuresAndFailOnlyAtTerminalTier() {
        for (CallResult.Kind kind : List.of(CallResult.Kind.ERROR, CallResult.Kind.TIMEOUT,
                CallResult.Kind.SHORT_CIRCUITED)) {
            Decision mid = Decision.decide(policy, 1, CallResult.failed(kind));
            assertThat(mid.action()).isEqualTo(Decision.Action.NEXT_TIER);
            assertThat(mid.outcome().name()).isEqualTo(kind.name());
            assertThat(Decision.decide(policy, 2, CallResult.failed(kind)).action()).isEqualTo(Decision.Action.FAIL);
        }
    }

    @Test
    void shouldRejectInvalidPolicies() {
        assertThatThrownBy(() -> new TierStep("small", 1.5)).hasMessageContaining("1.5");
        assertThatThrownBy(() -> new RoutePolicy("r", List.of())).hasMessageContaining("no tiers");
        assertThatThrownBy(() -> new RoutePolicy("r", List.of(new TierStep("a", 0.5), new TierStep("a", null))))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> new RoutePolicy("r", List.of(new TierStep("a", null), new TierStep("b", null))))
                .hasMessageContaining("no threshold");
        assertThatThrownBy(() -> new RoutePolicy("r", List.of(new TierStep("a", 0.5))))
                .hasMessageContaining("terminal");
    }

    @Test
    void shouldServeAtTheFirstTierWhoseAnswerIsAcceptedAndAtTheTerminalOtherwise() {
        double[] sure = {0.9, 0.1, 0.1};
        double[] unsure = {0.1, 0.1, 0.1};
        double[] middle = {0.1, 0.95, 0.1};
        RoutePolicy three = new RoutePolicy("r", List.of(new TierStep("a", 0.8), new TierStep("b", 0.9),
                new TierStep("c", null)));
        assertThat(Decision.servingTier(three, i -> sure[i])).isZero();
        assertThat(Decision.servingTier(three, i -> middle[i])).isEqualTo(1);
        assertThat(Decision.servingTier(three, i -> unsure[i])).isEqualTo(2);
    }
}
