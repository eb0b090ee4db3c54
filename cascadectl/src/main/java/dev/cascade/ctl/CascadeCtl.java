package dev.cascade.ctl;

import dev.cascade.events.TopicNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

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
            } catch (ArithmeticException e) {
                err.println("calibrate: the file's costs add up to more than the exact search can hold (about "
                        + "9,223 USD in all); calibrate on a part of it");
                return 2;
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
        ConfigCommand config = new ConfigCommand(out, err, new ConfigTopics(client), configTopic, statusTopic,
                timeout);
        List<String> rest = words.subList(2, words.size());
        try {
            return switch (words.get(1)) {
                case "get" -> rest.size() <= 1 ? config.get(rest.isEmpty() ? null : rest.get(0)) : usage(null);
                case "status" -> rest.size() <= 1 ? config.status(rest.isEmpty() ? null : rest.get(0))
                        : usage(null);
                case "set" -> rest.size() == 1 && file != null ? config.set(rest.get(0), file)
                        : usage("set needs ROUTE and --file");
                case "set-threshold" -> rest.size() == 3
                        ? config.setThreshold(rest.get(0), rest.get(1), rest.get(2)) : usage(null);
                case "delete" -> rest.size() == 1 ? config.publish(rest.get(0), null) : usage(null);
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
}
