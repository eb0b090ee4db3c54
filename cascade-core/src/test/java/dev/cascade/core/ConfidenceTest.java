package dev.cascade.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfidenceTest {
    @Test
    void shouldTakeExpOfMeanLogprob() {
        double c = Confidence.fromLogprobs(List.of(Math.log(0.9), Math.log(0.4)), false);
        assertThat(c).isCloseTo(Math.sqrt(0.9 * 0.4), within(1e-12));
    }

    @Test
    void shouldTakeExpOfMinLogprobWhenAsked() {
        assertThat(Confidence.fromLogprobs(List.of(Math.log(0.9), Math.log(0.4)), true)).isCloseTo(0.4, within(1e-12));
    }

    @Test
    void shouldReturnNullWithoutTokensAndRejectPositiveLogprobs() {
        assertThat(Confidence.fromLogprobs(List.of(), false)).isNull();
        assertThatThrownBy(() -> Confidence.fromLogprobs(List.of(0.5), false)).hasMessageContaining("0.5");
    }

    @Test
    void shouldNormaliseYesAgainstNoIgnoringCaseAndSpace() {
        double p = Confidence.pYes(Map.of(" Yes", Math.log(0.6), "no", Math.log(0.2), "maybe", Math.log(0.2)));
        assertThat(p).isCloseTo(0.75, within(1e-12));
        assertThat(Confidence.pYes(Map.of("perhaps", -0.1))).isNull();
    }
}
