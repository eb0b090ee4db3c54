package dev.cascade.ctl.calibration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns shadow records (every tier's answer to a sampled query) into cascade-outcomes lines. Quality per tier:
 * where feedback judged the served answer, that verdict is the served tier's {@code correct}; everywhere else it is
 * label-free, whether the tier's answer agrees with the terminal tier's after normalisation (case, spacing, trailing
 * punctuation), so the terminal counts as right and a cascade calibrated on the file keeps a share of the terminal's
 * answers. Each outcome says which it is in {@code quality}. Pure.
 */
public final class ShadowExport {
    /** The lines written and what was left out, and why. */
    public record Result(List<ObjectNode> lines, int incomplete, int judged, int routeSkipped) {
    }

    private ShadowExport() {
    }

    /**
     * @param shadows  shadow records, the latest per query id
     * @param feedback verdicts by query id (true = right)
     * @param route    only records of this route, or null for all
     */
    public static Result convert(Iterable<JsonNode> shadows, Map<String, Boolean> feedback, String route) {
        List<ObjectNode> lines = new ArrayList<>();
        int incomplete = 0;
        int judged = 0;
        int skipped = 0;
        for (JsonNode s : shadows) {
            if (route != null && !route.equals(s.path("route").asText())) {
                skipped++;
                continue;
            }
            List<String> tiers = new ArrayList<>();
            s.path("tiers").forEach(t -> tiers.add(t.asText()));
            JsonNode outcomes = s.path("outcomes");
            if (tiers.isEmpty() || !tiers.stream().allMatch(outcomes::has)) {
                incomplete++; // a tier failed or was skipped: the calibrator needs every tier's answer
                continue;
            }
            String terminal = normalise(outcomes.path(tiers.get(tiers.size() - 1)).path("answer").asText());
            String served = s.path("served_tier").asText(null);
            Boolean verdict = feedback.get(s.path("id").asText());
            ObjectNode line = Json.mapper().createObjectNode();
            line.put("id", s.path("id").asText());
            line.put("task", s.path("route").asText());
            line.set("messages", s.path("messages"));
            line.putNull("gold");
            ObjectNode out = line.putObject("outcomes");
            for (String tier : tiers) {
                JsonNode o = outcomes.path(tier);
                boolean fromFeedback = verdict != null && tier.equals(served);
                boolean correct = fromFeedback ? verdict : normalise(o.path("answer").asText()).equals(terminal);
                ObjectNode t = out.putObject(tier);
                t.put("answer", o.path("answer").asText());
                t.put("correct", correct);
                t.put("confidence", o.path("confidence").isNumber() ? o.path("confidence").asDouble() : 0.0);
                t.put("prompt_tokens", o.path("prompt_tokens").asLong());
                t.put("completion_tokens", o.path("completion_tokens").asLong());
                t.put("latency_ms", o.path("latency_ms").asDouble());
                t.put("cost_usd", o.path("cost_usd").decimalValue());
                t.put("quality", fromFeedback ? "feedback" : "agreement");
            }
            if (verdict != null) {
                judged++;
            }
            lines.add(line);
        }
        return new Result(lines, incomplete, judged, skipped);
    }

    /** Latest record per id, in first-seen order. */
    public static List<JsonNode> latestPerId(Iterable<JsonNode> records) {
        Map<String, JsonNode> latest = new LinkedHashMap<>();
        for (JsonNode r : records) {
            latest.put(r.path("id").asText(), r);
        }
        return new ArrayList<>(latest.values());
    }

    static String normalise(String answer) {
        String s = answer.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        return s.replaceAll("[.!?]+$", "");
    }

    /** A feedback record's verdict: {@code correct}, or {@code score >= 0.5}; null when it has neither. */
    public static Boolean verdict(JsonNode feedback) {
        if (feedback.path("correct").isBoolean()) {
            return feedback.path("correct").asBoolean();
        }
        if (feedback.path("score").isNumber()) {
            return feedback.path("score").asDouble() >= 0.5;
        }
        return null;
    }
}
