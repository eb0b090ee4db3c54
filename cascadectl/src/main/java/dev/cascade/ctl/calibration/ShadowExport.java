package dev.cascade.ctl.calibration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.core.quality.Agreement;
import dev.cascade.events.Json;
import dev.cascade.events.ShadowRecord;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    public static Result convert(Iterable<ShadowRecord> shadows, Map<String, Boolean> feedback, String route) {
        List<ObjectNode> lines = new ArrayList<>();
        int incomplete = 0;
        int judged = 0;
        int skipped = 0;
        for (ShadowRecord s : shadows) {
            if (route != null && !route.equals(s.route())) {
                skipped++;
                continue;
            }
            if (!s.complete()) {
                incomplete++; // a tier failed or was skipped: the calibrator needs every tier's answer
                continue;
            }
            List<String> tiers = s.tiers();
            String terminal = Agreement.normalise(s.outcomes().get(tiers.get(tiers.size() - 1)).answer());
            Boolean verdict = feedback.get(s.id());
            ObjectNode line = Json.mapper().createObjectNode();
            line.put("id", s.id());
            line.put("task", s.route());
            line.set("messages", Json.mapper().valueToTree(s.messages()));
            line.putNull("gold");
            ObjectNode out = line.putObject("outcomes");
            for (String tier : tiers) {
                ShadowRecord.TierAnswer o = s.outcomes().get(tier);
                String answer = o.answer() == null ? "" : o.answer();
                boolean fromFeedback = verdict != null && tier.equals(s.servedTier());
                boolean correct = fromFeedback ? verdict : Agreement.normalise(answer).equals(terminal);
                ObjectNode t = out.putObject(tier);
                t.put("answer", answer);
                t.put("correct", correct);
                t.put("confidence", o.confidence() == null ? 0.0 : o.confidence());
                t.put("prompt_tokens", o.promptTokens());
                t.put("completion_tokens", o.completionTokens());
                t.put("latency_ms", (double) o.latencyMs());
                t.put("cost_usd", o.costUsd() == null ? BigDecimal.ZERO : o.costUsd());
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
    public static List<ShadowRecord> latestPerId(Iterable<ShadowRecord> records) {
        Map<String, ShadowRecord> latest = new LinkedHashMap<>();
        for (ShadowRecord r : records) {
            latest.put(r.id(), r);
        }
        return new ArrayList<>(latest.values());
    }
}
