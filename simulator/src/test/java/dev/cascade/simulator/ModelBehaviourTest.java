package dev.cascade.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelBehaviourTest {
    @Test
    void shouldReplaceOnlyTheFieldsOfThePatch() {
        ModelBehaviour patched = ModelBehaviour.defaults().with(Map.of("accuracy", 0.5, "mode", "hang",
                "hang_ms", 250));

        assertThat(patched).isEqualTo(new ModelBehaviour(0.5, 0, 0.9, 0.4, 0.05, 0.0, ModelBehaviour.Mode.HANG,
                250));
    }

    @Test
    void shouldRejectAccuracyAboveOneNamingTheValue() {
        assertThatThrownBy(() -> ModelBehaviour.defaults().with(Map.of("accuracy", 1.5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("accuracy must be in [0, 1], got 1.5");
    }

    @Test
    void shouldRejectErrorRateBelowZero() {
        assertThatThrownBy(() -> ModelBehaviour.defaults().with(Map.of("error_rate", -0.1)))
                .hasMessage("error_rate must be in [0, 1], got -0.1");
    }

    @Test
    void shouldRejectNotANumberAsProbability() {
        assertThatThrownBy(() -> ModelBehaviour.defaults().with(Map.of("confidence_wrong", Double.NaN)))
                .hasMessageContaining("confidence_wrong must be in [0, 1]");
    }

    @Test
    void shouldRejectJitterAboveHalf() {
        assertThatThrownBy(() -> ModelBehaviour.defaults().with(Map.of("jitter", 0.6)))
                .hasMessage("jitter must be in [0, 0.5], got 0.6");
    }

    @Test
    void shouldRejectNegativeLatency() {
        assertThatThrownBy(() -> ModelBehaviour.defaults().with(Map.of("latency_ms", -5)))
                .hasMessageContaining("latency_ms and hang_ms must be >= 0");
    }

    @Test
    void shouldRejectUnknownMode() {
        assertThatThrownBy(() -> ModelBehaviour.defaults().with(Map.of("mode", "sleep")))
                .hasMessage("mode must be one of ok, fail, hang, got sleep");
    }

    @Test
    void shouldRejectUnknownField() {
        assertThatThrownBy(() -> ModelBehaviour.defaults().with(Map.of("acuracy", 0.5)))
                .hasMessage("unknown model field 'acuracy'");
    }

    @Test
    void shouldRejectTextWhereANumberBelongs() {
        assertThatThrownBy(() -> ModelBehaviour.defaults().with(Map.of("latency_ms", "fast")))
                .hasMessage("latency_ms must be a number, got fast");
    }
}
