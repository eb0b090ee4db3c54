package dev.cascade.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import dev.cascade.events.TopicNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The operator CLI ({@code router/bin/cascadectl}): reads and changes routing policies on the config topic and waits
 * for the router's verdict on the status topic. Exit codes: 0 done, 1 rejected or not found, 2 usage, 3 no verdict
 * within the time-out (is a router running?), 4 Kafka or I/O error.
 */
public final class CascadeCtl {
    static final String USAGE = """
            usage: cascadectl [options] config get [ROUTE]
                   cascadectl [options] config set ROUTE --file policy.json
                   cascadectl [options] config set-threshold ROUTE TIER VALUE
                   cascadectl [options] config delete ROUTE
                   cascadectl [options] config status [ROUTE]
                   cascadectl whatif --outcomes FILE --policy policy.json [--strata task] [--terminal MODEL]
                              (no cluster needed; ratios per stratum to the policy's last tier or MODEL)
                   cascadectl calibrate --outcomes FILE --terminal MODEL [--target-quality 0.97]
                              [--candidates M1,M2,...] [--max-tiers N] [--chain M1,M2,...] [--z 2] [--grid 20]
                              [--strata task|FIELD|none] [--stratum-z 1] [--min-stratum 50]
                              [--folds 5] [--seed 1] [--bootstrap 1000] [--task TASK] [--out policy.json]
                              (no cluster needed; the accuracy target holds pooled and within each stratum of
                              FIELD; --folds 0 skips the held-out checks; --task calibrates on one task's queries)
                   cascadectl [options] export-outcomes --out FILE [--route ROUTE] [--shadow-topic cascade.shadow]
                              [--feedback-topic cascade.feedback]   (shadow-sampled traffic as a cascade-outcomes file)
            options:
              --bootstrap-servers HOSTS   default 127.0.0.1:9092
              --command-config FILE       Kafka client properties (security settings for secured clusters)
              --config-topic NAME         default cascade.config
              --status-topic NAME         default cascade.config.status
              --timeout SECONDS           how long to wait for the router's verdict (default 30)""";

    private final PrintStream out;
    private final PrintStream err;
    private String configTopic = TopicNames.defaults().config();
    private String statusTopic = TopicNames.defaults().configStatus();
    private Duration timeout = Duration.ofSeconds(30);
    private ConfigTopics topics;

    private CascadeCtl(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new CascadeCtl(out, err).execute(args);
    }

    private int execute(String[] args) {
        Properties client = new Properties();
        client.put("bootstrap.servers", "127.0.0.1:9092");
        List<String> words = new ArrayList<>();
        Path file = null;
        Path outcomes = null;
        Path policyFile = null;
        Map<String, String> commandOptions = new java.util.HashMap<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.startsWith("--")) {
                    if (a.equals("--help")) {
                        out.println(USAGE);
                        return 0;
                    }
                    if (i + 1 >= args.length) {
                        return usage("option " + a + " needs a value");
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--bootstrap-servers" -> client.put("bootstrap.servers", v);
                        case "--command-config" -> {
                            try (InputStream in = Files.newInputStream(Path.of(v))) {
                                client.load(in);
                            }
                        }
                        case "--config-topic" -> configTopic = v;
                        case "--status-topic" -> statusTopic = v;
                        case "--timeout" -> timeout = Duration.ofSeconds(Long.parseLong(v));
                        case "--file" -> file = Path.of(v);
                        case "--outcomes" -> outcomes = Path.of(v);
                        case "--policy" -> policyFile = Path.of(v);
                        default -> {
                            if (CalibrateCommand.OPTIONS.contains(a) || ExportCommand.OPTIONS.contains(a)) {
                                commandOptions.put(a, v);
                                continue;
                            }
                            return usage("unknown option " + a);
                        }
                    }
                } else {
                    words.add(a);
                }
            }
        } catch (NumberFormatException e) {
            return usage("--timeout takes whole seconds");
        } catch (IOException e) {
            err.println("cannot read --command-config: " + e.getMessage());
            return 2;
        }
        if (words.size() == 1 && words.get(0).equals("whatif")) {
            if (outcomes == null || policyFile == null) {
                return usage("whatif needs --outcomes FILE and --policy FILE");
            }
            return new WhatIfCommand(out, err).run(outcomes, policyFile, commandOptions);
        }
        if (words.size() == 1 && words.get(0).equals("calibrate")) {
            if (outcomes == null) {
                return usage("calibrate needs --outcomes FILE");
            }
            try {
                return new CalibrateCommand(out, err).run(outcomes, commandOptions);
            } catch (IllegalArgumentException e) {
                return usage("calibrate: " + e.getMessage());
            }
        }
        if (words.size() == 1 && words.get(0).equals("export-outcomes")) {
            try {
                return new ExportCommand(out, err, new ConfigTopics(client), timeout).run(commandOptions);
            } catch (IllegalArgumentException e) {
                return usage("export-outcomes: " + e.getMessage());
            } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
                err.println("export-outcomes: " + e.getMessage());
                return 4;
            }
        }
        if (!commandOptions.isEmpty()) {
            return usage("options " + commandOptions.keySet() + " do not apply to config commands");
        }
        if (words.size() < 2 || !words.get(0).equals("config")) {
            return usage(null);
        }
        topics = new ConfigTopics(client);
        List<String> rest = words.subList(2, words.size());
        try {
            return switch (words.get(1)) {
                case "get" -> rest.size() <= 1 ? get(rest.isEmpty() ? null : rest.get(0)) : usage(null);
                case "status" -> rest.size() <= 1 ? status(rest.isEmpty() ? null : rest.get(0)) : usage(null);
                case "set" -> rest.size() == 1 && file != null ? set(rest.get(0), file) : usage("set needs ROUTE and "
                        + "--file");
                case "set-threshold" -> rest.size() == 3 ? setThreshold(rest.get(0), rest.get(1), rest.get(2))
                        : usage(null);
                case "delete" -> rest.size() == 1 ? publish(rest.get(0), null) : usage(null);
                default -> usage("unknown command config " + words.get(1));
            };
        } catch (IllegalStateException e) {
            err.println("error: " + e.getMessage());
            return 4;
        } catch (Exception e) {
            err.println("error: " + e);
            return 4;
        }
    }

    private int usage(String problem) {
        if (problem != null) {
            err.println(problem);
        }
        err.println(USAGE);
        return 2;
    }

    private Map<String, JsonNode> statuses() throws IOException {
        Map<String, JsonNode> out = new java.util.TreeMap<>();
        for (Map.Entry<String, byte[]> e : topics.latest(statusTopic, timeout).entrySet()) {
            out.put(e.getKey(), Json.mapper().readTree(e.getValue()));
        }
        return out;
    }

    private int get(String route) throws IOException {
        Map<String, JsonNode> statuses = statuses();
        if (route != null) {
            JsonNode s = statuses.get(route);
            if (s == null || s.path("effective_policy").isNull() || s.path("effective_policy").isMissingNode()) {
                err.println("no live policy for route '" + route + "' (queries on it use the deployment file's "
                        + "route of that name, else 'default')");
                return 1;
            }
            out.println(pretty(s.get("effective_policy")));
            return 0;
        }
        ObjectNode all = Json.mapper().createObjectNode();
        statuses.forEach((r, s) -> {
            if (s.path("effective_policy").isObject()) {
                all.set(r, s.get("effective_policy"));
            }
        });
        out.println(pretty(all));
        return 0;
    }

    private int status(String route) throws IOException {
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

    private int set(String route, Path file) throws Exception {
        byte[] value;
        try {
            value = Files.readAllBytes(file);
        } catch (IOException e) {
            err.println("cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        return publish(route, value);
    }

    private int setThreshold(String route, String tier, String valueText) throws Exception {
        double value;
        try {
            value = Double.parseDouble(valueText);
        } catch (NumberFormatException e) {
            err.println("threshold must be a number, got '" + valueText + "'");
            return 2;
        }
        JsonNode s = statuses().get(route);
        if (s == null || !s.path("effective_policy").isObject()) {
            err.println("no live policy for route '" + route + "' to change; publish one with config set");
            return 1;
        }
        ObjectNode policy = (ObjectNode) s.get("effective_policy").deepCopy();
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
    private int publish(String route, byte[] value) throws Exception {
        Map<TopicPartition, Long> from = topics.endOffsets(statusTopic, timeout);
        RecordMetadata md = topics.send(configTopic, route, value, timeout);
        Optional<ConsumerRecord<String, byte[]>> verdict = topics.await(from, r -> {
            if (!route.equals(r.key())) {
                return false;
            }
            JsonNode s = readQuietly(r.value());
            return s != null && s.path("config_offset").asLong(-1) == md.offset()
                    && s.path("config_partition").asInt(-1) == md.partition();
        }, timeout);
        if (verdict.isEmpty()) {
            err.println("written to " + configTopic + " (partition " + md.partition() + ", offset " + md.offset()
                    + ") but no verdict within " + timeout.toSeconds() + " s: is a router running?");
            return 3;
        }
        JsonNode s = readQuietly(verdict.get().value());
        if ("ACCEPTED".equals(s.path("status").asText())) {
            out.println("ACCEPTED route '" + route + "'" + (value == null ? " removed" : "") + " (offset "
                    + md.offset() + ")");
            return 0;
        }
        err.println("REJECTED route '" + route + "': " + s.path("reason").asText() + " (the last good policy stays)");
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
