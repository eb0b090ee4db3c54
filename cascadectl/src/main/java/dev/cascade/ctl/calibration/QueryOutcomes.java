package dev.cascade.ctl.calibration;

import java.util.HashMap;
import java.util.Map;

/**
 * One query of a cascade-outcomes file and every model's outcome on it.
 *
 * @param labels the query's other scalar fields by name ({@code task} among them), for grouping queries into strata
 */
public record QueryOutcomes(String id, String task, Map<String, ModelOutcome> outcomes, Map<String, String> labels) {
    public QueryOutcomes {
        outcomes = Map.copyOf(outcomes);
        Map<String, String> all = new HashMap<>(labels);
        if (task != null) {
            all.put("task", task);
        }
        labels = Map.copyOf(all);
    }

    public QueryOutcomes(String id, String task, Map<String, ModelOutcome> outcomes) {
        this(id, task, outcomes, Map.of());
    }

    /** The value of a label field, or null when the query has none. */
    public String label(String field) {
        return labels.get(field);
    }
}
