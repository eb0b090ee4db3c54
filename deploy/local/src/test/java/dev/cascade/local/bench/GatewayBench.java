package dev.cascade.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.gateway.GatewayApp;
import dev.cascade.gateway.auth.ApiKeys;
import dev.cascade.gateway.config.GatewayConfig;
import dev.cascade.gateway.metrics.GatewayMetrics;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.router.RouterApp;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tiers;
import dev.cascade.simulator.ModelBehaviour;
import dev.cascade.simulator.ModelSimulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The gateway's figures: added latency of an OpenAI call through gateway and router (HTTP in to HTTP out, minus the
 * model time the answer reports) under both guarantees, next to the router alone (Kafka in to Kafka out) and a
 * direct model call in the same run; and the heap one instance needs per open request.
 */
final class GatewayBench {
    private static final String KEY = "bench-key";

    private GatewayBench() {
    }

    static void run(EmbeddedKafkaBroker broker, Path dir, int rate, int seconds, int open, Path portkey)
            throws Exception {
        List<String> lines = new ArrayList<>();
        try (ModelSimulator sim = ModelSimulator.start(0, Map.of(
                "lat-small", new ModelBehaviour(1.0, 20, 0.95, 0.95, 0, 0, ModelBehaviour.Mode.OK, 0),
                "lat-general", new ModelBehaviour(1.0, 20, 0.95, 0.95, 0, 0, ModelBehaviour.Mode.OK, 0)))) {
            List<Double> direct = Latency.http(sim.baseUrl() + "/v1/chat/completions", Map.of(), rate, seconds);
            lines.add(report("direct HTTP call to the model (model time)", direct));
            lines.add(report("router alone, at_least_once (Kafka in to Kafka out)",
                    Latency.router(broker, dir, sim, rate, seconds, "at_least_once", 1000, "galone")));
            lines.add(report("gateway + router at_least_once (HTTP in to HTTP out)",
                    throughGateway(broker, dir, sim, rate, seconds, "at_least_once", 1000, "galos")));
            lines.add(report("gateway + router exactly_once_v2, commit.interval.ms 20",
                    throughGateway(broker, dir, sim, rate, seconds, "exactly_once_v2", 20, "ge20")));
            if (portkey != null && java.nio.file.Files.exists(portkey)) {
                double direct50 = Latency.percentile(direct, 50);
                List<Double> added = new ArrayList<>();
                Latency.portkey(sim, dir, portkey, rate, seconds).forEach(v -> added.add(v - direct50));
                lines.add(report("Portkey gateway, added (end to end minus direct p50)", added));
            } else {
                lines.add(print("Portkey gateway: not run (pass --portkey PATH/build/start-server.js)"));
            }
        }
        lines.add(print(openRequests(broker, dir, open)));
        System.out.println();
        lines.forEach(System.out::println);
    }

    private static String report(String name, List<Double> ms) {
        return print(String.format(Locale.ROOT, "%-60s p50 %7.1f ms  p99 %7.1f ms  (n=%d)", name,
                Latency.percentile(ms, 50), Latency.percentile(ms, 99), ms.size()));
    }

    private static String print(String line) {
        System.out.println(line);
        return line;
    }

    /** Per call: response time minus the sum of its attempts' model time (from the response's cascade object). */
    static List<Double> throughGateway(EmbeddedKafkaBroker broker, Path dir, ModelSimulator sim, int rate,
                                       int seconds, String guarantee, int commitMs, String suffix) throws Exception {
        String q = "gq-" + suffix;
        broker.createTopics(3, List.of(q, "ga-" + suffix, "gatt-" + suffix, "gdlq-" + suffix));
        broker.createTopics(1, List.of("gcfg-" + suffix, "gcfgs-" + suffix));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kafka", Map.of("bootstrap.servers", broker.bootstrapServers(), "application.id", "g-router-" + suffix,
                "state.dir", dir.resolve("g-" + suffix).toString(), "processing.guarantee", guarantee,
                "commit.interval.ms", Integer.toString(commitMs)));
        doc.put("topics", Map.of("queries", q, "answers", "ga-" + suffix, "attempts", "gatt-" + suffix,
                "dlq", "gdlq-" + suffix, "config", "gcfg-" + suffix, "config_status", "gcfgs-" + suffix));
        doc.put("router", Map.of("admin_port", 0));
        doc.put("tiers", Map.of(
                "small", Map.of("base_url", sim.baseUrl() + "/v1", "model", "lat-small"),
                "general", Map.of("base_url", sim.baseUrl() + "/v1", "model", "lat-general", "confidence", "none")));
        doc.put("routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "small", "threshold", 0.8),
                Map.of("name", "general")))));
        RouterConfig config = RouterConfig.from(doc, Map.of(), "bench");
        try (Tiers tiers = Tiers.create(config.tiers().values(), Map.of());
             RouterApp router = new RouterApp(config, tiers,
                     new RouterMetrics(new SimpleMeterRegistry(), tiers, config.routes().keySet()));
             GatewayApp gateway = gateway(broker, q, "gdlq-" + suffix, suffix)) {
            router.start();
            while (router.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
                Thread.sleep(50);
            }
            gateway.start();
            return calls(gateway.port(), rate, seconds);
        }
    }

    private static GatewayApp gateway(EmbeddedKafkaBroker broker, String queries, String dlq, String instance) {
        GatewayConfig config = GatewayConfig.from(Map.of("kafka", Map.of("bootstrap.servers",
                broker.bootstrapServers()), "http_host", "127.0.0.1", "http_port", 0, "instance", instance,
                "queries_topic", queries, "dlq_topic", dlq, "send_deadline_ms", false),
                Map.of("GATEWAY_API_KEYS", "bench=" + KEY), "bench");
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.bindTo(new SimpleMeterRegistry());
        return new GatewayApp(config, ApiKeys.load(null, config.envKeys()), metrics, () -> "");
    }

    private static List<Double> calls(int port, int rate, int seconds) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ConcurrentLinkedQueue<Double> out = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        long start = System.nanoTime();
        int n = rate * seconds;
        for (int i = 0; i < n; i++) {
            long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            long sent = System.nanoTime();
            all.add(client.sendAsync(request(port, "default", "latency probe " + i), HttpResponse.BodyHandlers
                    .ofString()).thenAccept(r -> {
                        if (r.statusCode() == 200) {
                            double e2e = (System.nanoTime() - sent) / 1e6;
                            try {
                                long model = 0;
                                for (JsonNode a : Json.mapper().readTree(r.body()).path("cascade").path("attempts")) {
                                    model += a.path("latency_ms").asLong();
                                }
                                out.add(e2e - model);
                            } catch (java.io.IOException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        if (out.size() < n * 0.99) {
            throw new IllegalStateException("only " + out.size() + " of " + n + " gateway calls succeeded");
        }
        return new ArrayList<>(out);
    }

    private static HttpRequest request(int port, String model, String content) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + KEY)
                .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}")).build();
    }

    /**
     * Heap after GC and resident memory of one gateway process (no router: nothing answers) as it holds more and
     * more open requests; the client is this JVM, so its side is not counted.
     */
    private static String openRequests(EmbeddedKafkaBroker broker, Path dir, int open) throws Exception {
        broker.createTopics(3, List.of("gq-open", "gdlq-open"));
        int port = EmbeddedKafkaBroker.freePort();
        Path config = dir.resolve("gateway-open.yaml");
        java.nio.file.Files.writeString(config, String.join("\n", "kafka: {bootstrap.servers: '"
                + broker.bootstrapServers() + "'}", "http_host: 127.0.0.1", "http_port: " + port, "instance: open",
                "queries_topic: gq-open", "dlq_topic: gdlq-open", "send_deadline_ms: false",
                "default_deadline_ms: 600000", ""));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp",
                System.getProperty("java.class.path"), dev.cascade.gateway.GatewayMain.class.getName(), "--config",
                config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("gateway-open.log").toFile());
        pb.environment().put("GATEWAY_API_KEYS", "bench=" + KEY);
        Process gateway = pb.start();
        StringBuilder out = new StringBuilder("open requests held by one gateway process (-Xmx512m; heap after a "
                + "full GC, resident set):");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<Void>>> held = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (metric(client, port, "gateway_requests_open") < 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            long base = heap(client, port, gateway.pid());
            out.append(line(0, base, 0, gateway.pid()));
            for (int step = open / 4; step <= open; step += open / 4) {
                while (held.size() < step) {
                    held.add(client.sendAsync(request(port, "default", "hold " + held.size()),
                            HttpResponse.BodyHandlers.discarding()));
                }
                long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (metric(client, port, "gateway_requests_open") < step && System.nanoTime() < until) {
                    Thread.sleep(200);
                }
                long n = (long) metric(client, port, "gateway_requests_open");
                out.append(line(n, heap(client, port, gateway.pid()), base, gateway.pid()));
            }
        } finally {
            held.forEach(f -> f.cancel(true));
            gateway.destroy();
            gateway.waitFor();
        }
        return out.toString();
    }

    private static String line(long open, long heap, long base, long pid) throws java.io.IOException {
        String rss = java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).findFirst().orElse("VmRSS: ? kB").replaceAll("\\s+", " ");
        return String.format(Locale.ROOT, "%n  %6d open: heap %6.1f MiB%s, %s", open, heap / 1048576.0,
                open == 0 ? "" : String.format(Locale.ROOT, " (%.1f KiB per open request)",
                        (heap - base) / 1024.0 / open), rss);
    }

    /** The process' heap in use right after a full GC (jcmd GC.run), from its own /metrics. */
    private static long heap(HttpClient client, int port, long pid) throws Exception {
        new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid),
                "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        return (long) metric(client, port, "jvm_memory_used_bytes{area=\"heap\"");
    }

    /** Sum of the samples of a metric on the gateway's /metrics; -1 when it cannot be read. */
    private static double metric(HttpClient client, int port, String prefix) {
        try {
            String text = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            return text.lines().filter(l -> l.startsWith(prefix))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
