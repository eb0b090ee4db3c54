package dev.cascade.local.bench;

import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.ledger.LedgerApp;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.metrics.LedgerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Benchmarks, one command per figure ({@code deploy/local/bench.sh <figure> [options]}); each prints its figures
 * and the spread over repeats. Everything runs on one real broker in this JVM, against loopback HTTP tiers.
 * <ul>
 *   <li>{@code throughput [--queries N] [--repeats R]}: router (all accepted at the first tier; 30% escalating once)
 *   against a plain Kafka Streams pass-through, same broker, same run, as a ratio;</li>
 *   <li>{@code latency [--rate QPS] [--seconds S] [--portkey start-server.js]}: added latency per guarantee
 *   mode, next to a direct call and the Portkey gateway;</li>
 *   <li>{@code gateway [--rate QPS] [--seconds S] [--open N] [--portkey start-server.js]}: the OpenAI gateway's
 *   added latency under both guarantees, next to the router alone and the Portkey gateway, and the heap per open
 *   request;</li>
 *   <li>{@code ledger [--attempts N] [--repeats R]}: attempts aggregated per second;</li>
 *   <li>{@code memory [--rate QPS] [--seconds S]}: resident memory of router and ledger, and per in-flight query.</li>
 * </ul>
 */
public final class Benchmarks {
    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String figure = args.length == 0 ? "" : args[0];
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("cascade.bench.dir", "target")), "bench-");
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, JDK "
                + System.getProperty("java.version") + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " MiB");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startFresh(dir.resolve("kafka"))) {
            switch (figure) {
                case "throughput" -> Throughput.run(broker, dir, Integer.parseInt(opts.getOrDefault("queries",
                        "20000")), Integer.parseInt(opts.getOrDefault("repeats", "3")));
                case "latency" -> Latency.run(broker, dir, Integer.parseInt(opts.getOrDefault("rate", "100")),
                        Integer.parseInt(opts.getOrDefault("seconds", "20")),
                        opts.containsKey("portkey") ? Path.of(opts.get("portkey")) : null);
                case "gateway" -> GatewayBench.run(broker, dir, Integer.parseInt(opts.getOrDefault("rate", "100")),
                        Integer.parseInt(opts.getOrDefault("seconds", "20")),
                        Integer.parseInt(opts.getOrDefault("open", "4000")),
                        opts.containsKey("portkey") ? Path.of(opts.get("portkey")) : null);
                case "memory" -> Memory.run(broker, dir, Path.of(System.getProperty("cascade.home", ".")),
                        Integer.parseInt(opts.getOrDefault("rate", "100")),
                        Integer.parseInt(opts.getOrDefault("seconds", "40")));
                case "ledger" -> ledger(broker, dir, Integer.parseInt(opts.getOrDefault("attempts", "50000")),
                        Integer.parseInt(opts.getOrDefault("repeats", "3")));
                default -> {
                    System.err.println("usage: bench.sh throughput|latency|gateway|ledger|memory [--queries N] [--attempts N] "
                            + "[--repeats R] [--rate QPS] [--seconds S] [--portkey PATH/start-server.js]");
                    System.exit(2);
                }
            }
        }
    }

    static String stats(List<Double> values, String unit) {
        double min = values.stream().mapToDouble(d -> d).min().orElse(0);
        double max = values.stream().mapToDouble(d -> d).max().orElse(0);
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        double median = sorted.get(sorted.size() / 2);
        return String.format(Locale.ROOT, "median %.2f %s (min %.2f, max %.2f, n=%d)", median, unit, min, max,
                values.size());
    }

    /** Attempts per second the ledger aggregates, from a backlog. */
    static void ledger(EmbeddedKafkaBroker broker, Path dir, int attempts, int repeats) throws Exception {
        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            String suffix = "l" + r;
            String topic = "bench-attempts-" + suffix;
            broker.createTopics(3, List.of(topic, "bench-answers-" + suffix, "bench-feedback-" + suffix));
            broker.createTopics(1, List.of("bench-pricing-" + suffix, "bench-pricing-status-" + suffix,
                    "bench-unmatched-" + suffix, "bench-ldlq-" + suffix));
            try (var p = BenchKafka.producer(broker.bootstrapServers())) {
                for (int i = 0; i < attempts; i++) {
                    String id = "q" + i;
                    String tier = i % 10 < 7 ? "small" : "general";
                    p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
                            id.getBytes(java.nio.charset.StandardCharsets.UTF_8), ("{\"query_id\":\"" + id
                            + "\",\"route\":\"default\",\"tier\":\"" + tier + "\",\"model\":\"m\",\"outcome\":"
                            + "\"ACCEPTED\",\"confidence\":0.9,\"threshold\":0.8,\"prompt_tokens\":250,"
                            + "\"completion_tokens\":20,\"latency_ms\":" + (i % 300) + ",\"cost_usd\":0.000825,"
                            + "\"shadow\":false,\"timestamp\":" + System.currentTimeMillis() + "}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                }
                p.flush();
            }
            Path cfg = dir.resolve("ledger-" + suffix + ".yaml");
            Files.writeString(cfg, String.join("\n", "kafka:", "  bootstrap.servers: " + broker.bootstrapServers(),
                    "  application.id: bench-ledger-" + suffix, "  state.dir: " + dir.resolve("lstate-" + suffix),
                    "topics: {attempts: " + topic + ", answers: bench-answers-" + suffix + ", feedback: bench-feedback-"
                            + suffix + ", pricing: bench-pricing-" + suffix + ", pricing_status: bench-pricing-status-"
                            + suffix + ", unmatched_feedback: bench-unmatched-" + suffix + ", dlq: bench-ldlq-"
                            + suffix + "}",
                    "http_port: 0",
                    "pricing:", "  small: {kind: self_hosted, monthly_usd: 1000}",
                    "  general: {kind: api, input_usd_per_1m_tokens: 2.5, output_usd_per_1m_tokens: 10}", ""));
            LedgerConfig config = LedgerConfig.load(cfg, Map.of());
            try (LedgerApp app = new LedgerApp(config, new LedgerMetrics(new SimpleMeterRegistry()))) {
                long start = System.nanoTime();
                app.start();
                while (true) {
                    long seen = 0;
                    try {
                        seen = app.queries().localTotals().values().stream()
                                .mapToLong(s -> s.calls().values().stream().mapToLong(Long::longValue).sum()).sum();
                    } catch (RuntimeException e) {
                        // stores not queryable yet
                    }
                    if (seen >= attempts) {
                        break;
                    }
                    Thread.sleep(20);
                }
                double rate = attempts / ((System.nanoTime() - start) / 1e9);
                rates.add(rate);
                System.out.printf(Locale.ROOT, "ledger repeat %d: %d attempts aggregated at %.0f/s (from start, "
                        + "including the app's start-up)%n", r + 1, attempts, rate);
            }
        }
        System.out.println("ledger: " + stats(rates, "attempts/s"));
    }
}
