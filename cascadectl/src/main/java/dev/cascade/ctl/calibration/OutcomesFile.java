package dev.cascade.ctl.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.JsonLines;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a cascade-outcomes file (JSON Lines, optionally gzip-compressed); errors name the line. */
public final class OutcomesFile {
    private static final Set<String> LABEL_EXCLUDED = Set.of("id", "gold");

    private OutcomesFile() {
    }

    public static List<QueryOutcomes> read(Path file) throws IOException {
        List<QueryOutcomes> out = new ArrayList<>();
        JsonLines.read(file, line -> out.add(parse(line)));
        return out;
    }

    static QueryOutcomes parse(JsonNode q) {
        if (!q.path("id").isTextual()) {
            throw new IllegalArgumentException("'id' must be a string");
        }
        Map<String, ModelOutcome> outcomes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = q.path("outcomes").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode o = e.getValue();
            if (!o.path("correct").isBoolean() || !o.path("cost_usd").isNumber()) {
                throw new IllegalArgumentException("outcome of '" + e.getKey() + "' needs boolean 'correct' and "
                        + "numeric 'cost_usd'");
            }
            double confidence = o.path("confidence").asDouble(0);
            if (confidence < 0 || confidence > 1) {
                throw new IllegalArgumentException("confidence of '" + e.getKey() + "' must be in [0, 1], got "
                        + confidence);
            }
            outcomes.put(e.getKey(), new ModelOutcome(o.path("correct").asBoolean(), confidence,
                    o.path("prompt_tokens").asLong(0), o.path("completion_tokens").asLong(0),
                    o.path("latency_ms").asDouble(0), new BigDecimal(o.path("cost_usd").asText())));
        }
        if (outcomes.isEmpty()) {
            throw new IllegalArgumentException("'outcomes' must name at least one model");
        }
        return new QueryOutcomes(q.path("id").asText(), q.path("task").asText(null), outcomes, labels(q));
    }

    /** Scalar fields other than the id and the gold answer, and those of a {@code metadata} object as metadata.NAME. */
    private static Map<String, String> labels(JsonNode q) {
        Map<String, String> labels = new LinkedHashMap<>();
        q.fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull() && !LABEL_EXCLUDED.contains(e.getKey())) {
                labels.put(e.getKey(), e.getValue().asText());
            }
        });
        q.path("metadata").fields().forEachRemaining(e -> {
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                labels.put("metadata." + e.getKey(), e.getValue().asText());
            }
        });
        return labels;
    }
}
