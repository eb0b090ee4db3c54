package dev.cascade.ctl.calibration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Cascade-outcomes data made up for tests: each model has an accuracy, a cost per call and a confidence that is
 * drawn from one range when it is right and another when it is wrong (overlapping ranges make it an honest but
 * imperfect signal; equal ranges make it noise).
 */
public final class GeneratedOutcomes {
    /** A made-up model. */
    public record Profile(String name, double accuracy, String costUsd, double rightLow, double rightHigh,
                          double wrongLow, double wrongHigh, double latencyMs) {
    }

    private GeneratedOutcomes() {
    }

    public static List<QueryOutcomes> generate(int n, long seed, List<Profile> profiles) {
        return generate(n, seed, profiles, null);
    }

    /** Queries all of one task (ids {@code task-i}); a null task alternates "even" and "odd" (ids {@code gen-i}). */
    public static List<QueryOutcomes> generate(int n, long seed, List<Profile> profiles, String task) {
        Random random = new Random(seed);
        List<QueryOutcomes> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, ModelOutcome> outcomes = new LinkedHashMap<>();
            double difficulty = random.nextDouble();
            for (Profile p : profiles) {
                // harder queries are wrong for more models at once, as in real benchmarks
                boolean right = (difficulty * 0.5 + random.nextDouble() * 0.5) < p.accuracy();
                double confidence = right ? p.rightLow() + random.nextDouble() * (p.rightHigh() - p.rightLow())
                        : p.wrongLow() + random.nextDouble() * (p.wrongHigh() - p.wrongLow());
                outcomes.put(p.name(), new ModelOutcome(right, Math.round(confidence * 1e4) / 1e4, 40, 1,
                        p.latencyMs(), new BigDecimal(p.costUsd())));
            }
            out.add(task == null ? new QueryOutcomes("gen-" + i, i % 2 == 0 ? "even" : "odd", outcomes)
                    : new QueryOutcomes(task + "-" + i, task, outcomes));
        }
        return out;
    }

    /** Writes the queries in the cascade-outcomes format, with a question per query and "A"/"B" answers. */
    public static Path write(Path file, List<QueryOutcomes> queries) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (QueryOutcomes q : queries) {
                ObjectNode line = Json.mapper().createObjectNode();
                line.put("id", q.id());
                q.labels().forEach(line::put);
                line.putArray("messages").addObject().put("role", "user").put("content", "Generated question "
                        + q.id() + ": A or B?");
                line.put("gold", "A");
                ObjectNode outcomes = line.putObject("outcomes");
                q.outcomes().forEach((model, o) -> outcomes.putObject(model)
                        .put("answer", o.correct() ? "A" : "B").put("correct", o.correct())
                        .put("confidence", o.confidence()).put("prompt_tokens", o.promptTokens())
                        .put("completion_tokens", o.completionTokens()).put("latency_ms", o.latencyMs())
                        .put("cost_usd", o.costUsd()));
                w.write(line.toString());
                w.write('\n');
            }
        }
        return file;
    }

    /** The tier a policy serves a recorded query from: the first whose recorded confidence reaches its threshold. */
    public static String servedBy(List<dev.cascade.core.TierStep> policy, QueryOutcomes q) {
        for (int i = 0; i < policy.size() - 1; i++) {
            if (q.outcomes().get(policy.get(i).tier()).confidence() >= policy.get(i).threshold()) {
                return policy.get(i).tier();
            }
        }
        return policy.get(policy.size() - 1).tier();
    }
}
