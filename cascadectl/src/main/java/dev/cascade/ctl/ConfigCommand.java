package dev.cascade.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import dev.cascade.events.SettingsStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code cascadectl config get|status|set|set-threshold|delete}: reads the routers' verdicts from the config-status
 * topic and writes policies (or tombstones) to the config topic, waiting for the verdict on each write. Exit codes:
 * 0 accepted, 1 rejected or not found, 2 bad arguments or unreadable file, 3 no verdict in time.
 */
final class ConfigCommand {
    private final PrintStream out;
    private final PrintStream err;
    private final ConfigTopics topics;
    private final String configTopic;
    private final String statusTopic;
    private final Duration timeout;

    ConfigCommand(PrintStream out, PrintStream err, ConfigTopics topics, String configTopic, String statusTopic,
                  Duration timeout) {
        this.out = out;
        this.err = err;
        this.topics = topics;
        this.configTopic = configTopic;
        this.statusTopic = statusTopic;
        this.timeout = timeout;
    }

    private Map<String, JsonNode> statuses() throws IOException {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        for (Map.Entry<String, byte[]> e : topics.latest(statusTopic, timeout).entrySet()) {
            out.put(e.getKey(), Json.mapper().readTree(e.getValue()));
        }
        return out;
    }

    int get(String route) throws IOException {
        Map<String, JsonNode> statuses = statuses();
        if (route != null) {
            JsonNode s = statuses.get(route);
            if (s == null || s.path(SettingsStatus.CONFIG_EFFECTIVE).isNull() || s.path(SettingsStatus.CONFIG_EFFECTIVE).isMissingNode()) {
                err.println("no live policy for route '" + route + "' (queries on it use the deployment file's "
                        + "route of that name, else 'default')");
                return 1;
            }
            out.println(pretty(s.get(SettingsStatus.CONFIG_EFFECTIVE)));
            return 0;
        }
        ObjectNode all = Json.mapper().createObjectNode();
        statuses.forEach((r, s) -> {
            if (s.path(SettingsStatus.CONFIG_EFFECTIVE).isObject()) {
                all.set(r, s.get(SettingsStatus.CONFIG_EFFECTIVE));
            }
        });
        out.println(pretty(all));
        return 0;
    }

    int status(String route) throws IOException {
        Map<String, JsonNode> statuses = statuses();
        if (route != null) {
            JsonNode s = statuses.get(route);
            if (s == null) {
                err.println("no status for route '" + route + "'");
                return 1;
            }
            out.println(s.toString());
            return 0;
        }
        statuses.values().forEach(s -> out.println(s.toString()));
        return 0;
    }

    int set(String route, Path file) throws Exception {
        byte[] value;
        try {
            value = Files.readAllBytes(file);
        } catch (IOException e) {
            err.println("cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        return publish(route, value);
    }

    int setThreshold(String route, String tier, String valueText) throws Exception {
        double value;
        try {
            value = Double.parseDouble(valueText);
        } catch (NumberFormatException e) {
            err.println("threshold must be a number, got '" + valueText + "'");
            return 2;
        }
        JsonNode s = statuses().get(route);
        if (s == null || !s.path(SettingsStatus.CONFIG_EFFECTIVE).isObject()) {
            err.println("no live policy for route '" + route + "' to change; publish one with config set");
            return 1;
        }
        ObjectNode policy = (ObjectNode) s.get(SettingsStatus.CONFIG_EFFECTIVE).deepCopy();
        boolean found = false;
        for (JsonNode step : (ArrayNode) policy.path("tiers")) {
            if (step.path("name").asText().equals(tier)) {
                ((ObjectNode) step).put("threshold", value);
                found = true;
            }
        }
        if (!found) {
            err.println("route '" + route + "' has no tier '" + tier + "'");
            return 1;
        }
        return publish(route, Json.mapper().writeValueAsBytes(policy));
    }

    /** Writes a policy (or a tombstone) and waits for the router's verdict on it. */
    int publish(String route, byte[] value) throws Exception {
        Map<TopicPartition, Long> from = topics.endOffsets(statusTopic, timeout);
        RecordMetadata md = topics.send(configTopic, route, value, timeout);
        Optional<ConsumerRecord<String, byte[]>> verdict = topics.await(from, r -> {
            if (!route.equals(r.key())) {
                return false;
            }
            JsonNode s = readQuietly(r.value());
            return s != null && s.path(SettingsStatus.OFFSET).asLong(-1) == md.offset()
                    && s.path(SettingsStatus.PARTITION).asInt(-1) == md.partition();
        }, timeout);
        if (verdict.isEmpty()) {
            err.println("written to " + configTopic + " (partition " + md.partition() + ", offset " + md.offset()
                    + ") but no verdict within " + timeout.toSeconds() + " s: is a router running?");
            return 3;
        }
        JsonNode s = readQuietly(verdict.get().value());
        if (SettingsStatus.Verdict.ACCEPTED.name().equals(s.path(SettingsStatus.STATUS).asText())) {
            out.println("ACCEPTED route '" + route + "'" + (value == null ? " removed" : "") + " (offset "
                    + md.offset() + ")");
            return 0;
        }
        err.println("REJECTED route '" + route + "': " + s.path(SettingsStatus.REASON).asText() + " (the last good policy stays)");
        return 1;
    }

    private static JsonNode readQuietly(byte[] bytes) {
        try {
            return Json.mapper().readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private static String pretty(JsonNode node) throws IOException {
        return new String(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(node),
                StandardCharsets.UTF_8);
    }
}
