package dev.cascade.ctl.calibration;

import java.util.Map;

/** One query of a cascade-outcomes file and every model's outcome on it. */
public record QueryOutcomes(String id, String task, Map<String, ModelOutcome> outcomes) {
    public QueryOutcomes {
        outcomes = Map.copyOf(outcomes);
    }
}
