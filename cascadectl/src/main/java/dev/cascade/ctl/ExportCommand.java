package dev.cascade.ctl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.FeedbackEvent;
import dev.cascade.events.Json;
import dev.cascade.events.ShadowRecord;
import dev.cascade.events.TopicNames;
import dev.cascade.ctl.calibration.ShadowExport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cascadectl export-outcomes}: reads the shadow topic and the feedback topic to their current ends and writes
 * a cascade-outcomes file (tier names as model names) for {@code cascadectl calibrate}. Unreadable records are
 * counted and reported, never silently dropped.
 */
final class ExportCommand {
    static final Set<String> OPTIONS = Set.of("--route", "--shadow-topic", "--feedback-topic");

    private final PrintStream out;
    private final PrintStream err;
    private final ConfigTopics topics;
    private final Duration timeout;

    ExportCommand(PrintStream out, PrintStream err, ConfigTopics topics, Duration timeout) {
        this.out = out;
        this.err = err;
        this.topics = topics;
        this.timeout = timeout;
    }

    int run(Map<String, String> options) {
        String target = options.get("--out");
        if (target == null) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        String shadowTopic = options.getOrDefault("--shadow-topic", TopicNames.defaults().shadow());
        String feedbackTopic = options.getOrDefault("--feedback-topic", TopicNames.defaults().feedback());
        int[] unreadable = {0};
        List<ShadowRecord> shadows = new ArrayList<>();
        topics.scan(shadowTopic, timeout, r -> {
            ShadowRecord record = read(r.value(), ShadowRecord.class);
            if (record == null || record.id() == null) {
                unreadable[0]++;
            } else {
                shadows.add(record);
            }
        });
        Map<String, Boolean> feedback = new HashMap<>();
        topics.scan(feedbackTopic, timeout, r -> {
            FeedbackEvent event = read(r.value(), FeedbackEvent.class);
            Boolean verdict = event == null || event.queryId() == null ? null : event.verdict();
            if (verdict != null) {
                feedback.put(event.queryId(), verdict);
            }
        });
        ShadowExport.Result result = ShadowExport.convert(ShadowExport.latestPerId(shadows), feedback,
                options.get("--route"));
        Path file = Path.of(target);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (ObjectNode line : result.lines()) {
                w.write(line.toString());
                w.write('\n');
            }
        } catch (IOException e) {
            err.println("export-outcomes: cannot write " + file + ": " + e.getMessage());
            return 4;
        }
        out.printf("wrote %d queries to %s (%d with feedback on the served answer, the rest judged by agreement "
                        + "with the terminal tier); left out: %d without every tier's answer, %d of other routes, "
                        + "%d unreadable records%n", result.lines().size(), file, result.judged(),
                result.incomplete(), result.routeSkipped(), unreadable[0]);
        if (result.lines().isEmpty()) {
            err.println("export-outcomes: no complete shadow records on " + shadowTopic + " (is shadow_rate > 0 on "
                    + "a route?)");
            return 1;
        }
        return 0;
    }

    private static <T> T read(byte[] value, Class<T> type) {
        if (value == null) {
            return null;
        }
        try {
            return Json.mapper().readValue(value, type);
        } catch (IOException e) {
            return null;
        }
    }
}
