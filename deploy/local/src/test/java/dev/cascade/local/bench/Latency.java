package dev.cascade.local.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Added latency at a steady rate: answer time minus model time, p50 and p99. The router under exactly_once_v2 at the
 * default commit interval (100 ms), at a tuned one (20 ms) and under at_least_once; next to the same model called
 * directly over HTTP and through the Portkey gateway (a local process, fallback between the same simulated models),
 * all against one simulator in the same run.
 */
final class Latency {
    private Latency() {
    }

    static void run(EmbeddedKafkaBroker broker, Path dir, int rate, int seconds, Path portkey) throws Exception {
        try (ModelSimulator sim = ModelSimulator.start(0, Map.of(
                "lat-small", new ModelBehaviour(1.0, 20, 0.95, 0.95, 0, 0, ModelBehaviour.Mode.OK, 0),
                "lat-general", new ModelBehaviour(1.0, 20, 0.95, 0.95, 0, 0, ModelBehaviour.Mode.OK, 0)))) {
            List<String> lines = new ArrayList<>();
            List<Double> direct = http(sim.baseUrl() + "/v1/chat/completions", Map.of(), rate, seconds);
            lines.add(report("direct HTTP call to the model (model time)", direct));
            double direct50 = percentile(direct, 50);
            lines.add(report("router exactly_once_v2, commit.interval.ms 100", router(broker, dir, sim, rate, seconds,
                    "exactly_once_v2", 100, "e100")));
            lines.add(report("router exactly_once_v2, commit.interval.ms 20", router(broker, dir, sim, rate, seconds,
                    "exactly_once_v2", 20, "e20")));
            lines.add(report("router at_least_once", router(broker, dir, sim, rate, seconds, "at_least_once", 1000,
                    "alos")));
            if (portkey != null && Files.exists(portkey)) {
                List<Double> e2e = portkey(sim, dir, portkey, rate, seconds);
                lines.add(report("Portkey gateway (fallback small -> general), end to end", e2e));
                List<Double> added = new ArrayList<>();
                for (double v : e2e) {
                    added.add(v - direct50);
                }
                lines.add(report("Portkey gateway, added (end to end minus direct p50)", added));
            } else {
                lines.add("Portkey gateway: not run (install it: npm install @portkey-ai/gateway, and pass --portkey "
                        + "PATH/build/start-server.js)");
            }
            System.out.println();
            lines.forEach(System.out::println);
        }
    }

    /** Response times through the Portkey gateway (a local node process) with a fallback small -> general. */
    static List<Double> portkey(ModelSimulator sim, Path dir, Path portkey, int rate, int seconds) throws Exception {
        int port = dev.cascade.kafka.EmbeddedKafkaBroker.freePort();
        Process gateway = new ProcessBuilder("node", portkey.toString(), "--port=" + port, "--headless")
                .redirectErrorStream(true).redirectOutput(dir.resolve("portkey.log").toFile()).start();
        try {
            String config = "{\"strategy\":{\"mode\":\"fallback\"},\"targets\":["
                    + "{\"provider\":\"openai\",\"api_key\":\"sim\",\"custom_host\":\"" + sim.baseUrl()
                    + "/v1\",\"override_params\":{\"model\":\"lat-small\"}},"
                    + "{\"provider\":\"openai\",\"api_key\":\"sim\",\"custom_host\":\"" + sim.baseUrl()
                    + "/v1\",\"override_params\":{\"model\":\"lat-general\"}}]}";
            String url = "http://127.0.0.1:" + port + "/v1/chat/completions";
            awaitHttp(url, Map.of("x-portkey-config", config));
            return http(url, Map.of("x-portkey-config", config), rate, seconds);
        } finally {
            gateway.destroy();
        }
    }

    private static String report(String name, List<Double> ms) {
        return String.format(Locale.ROOT, "%-60s p50 %7.1f ms  p99 %7.1f ms  (n=%d)", name, percentile(ms, 50),
                percentile(ms, 99), ms.size());
    }

    static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    /** Requests at a steady rate; returns each response time in ms. */
    static List<Double> http(String url, Map<String, String> headers, int rate, int seconds) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String body = "{\"model\":\"lat-small\",\"messages\":[{\"role\":\"user\",\"content\":\"latency probe\"}],"
                + "\"logprobs\":true}";
        ConcurrentLinkedQueue<Double> out = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        long start = System.nanoTime();
        int n = rate * seconds;
        for (int i = 0; i < n; i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer sim").POST(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(b::header);
            long sent = System.nanoTime();
            all.add(client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
                if (r.statusCode() == 200) {
                    out.add((System.nanoTime() - sent) / 1e6);
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        if (out.size() < n * 0.99) {
            throw new IllegalStateException(url + ": only " + out.size() + " of " + n + " requests succeeded");
        }
        return new ArrayList<>(out);
    }

    private static void awaitHttp(String url, Map<String, String> headers) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                http(url, headers, 5, 1);
                return;
            } catch (Exception e) {
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException("gateway at " + url + " did not answer");
    }

    /** Router at a steady rate: per answer, (answer received - query sent) - sum of its attempts' latency. */
    static List<Double> router(EmbeddedKafkaBroker broker, Path dir, ModelSimulator sim, int rate, int seconds,
                               String guarantee, int commitMs, String suffix) throws Exception {
        String in = "lat-q-" + suffix;
        String answers = "lat-a-" + suffix;
        broker.createTopics(3, List.of(in, answers, "lat-att-" + suffix, "lat-dlq-" + suffix));
        broker.createTopics(1, List.of("lat-cfg-" + suffix, "lat-cfgs-" + suffix));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("kafka", Map.of("bootstrap.servers", broker.bootstrapServers(), "application.id",
                "lat-router-" + suffix, "state.dir", dir.resolve("lat-" + suffix).toString(), "processing.guarantee",
                guarantee, "commit.interval.ms", Integer.toString(commitMs)));
        doc.put("topics", Map.of("queries", in, "answers", answers, "attempts", "lat-att-" + suffix,
                "dlq", "lat-dlq-" + suffix, "config", "lat-cfg-" + suffix, "config_status", "lat-cfgs-" + suffix));
        doc.put("router", Map.of("admin_port", 0));
        doc.put("tiers", Map.of(
                "small", Map.of("base_url", sim.baseUrl() + "/v1", "model", "lat-small"),
                "general", Map.of("base_url", sim.baseUrl() + "/v1", "model", "lat-general", "confidence", "none")));
        doc.put("routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "small", "threshold", 0.8),
                Map.of("name", "general")))));
        RouterConfig config = RouterConfig.from(doc, Map.of(), "bench");
        int n = rate * seconds;
        Map<String, Long> sentAt = new java.util.concurrent.ConcurrentHashMap<>();
        List<Double> added = Collections.synchronizedList(new ArrayList<>());
        try (Tiers tiers = Tiers.create(config.tiers().values(), Map.of());
             RouterApp app = new RouterApp(config, tiers,
                     new RouterMetrics(new SimpleMeterRegistry(), tiers, config.routes().keySet()))) {
            app.start();
            while (app.state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
                Thread.sleep(50);
            }
            Thread reader = new Thread(() -> BenchKafka.awaitCount(broker.bootstrapServers(), answers, n,
                    Duration.ofMinutes(5), r -> {
                        long now = System.nanoTime();
                        JsonNode a;
                        try {
                            a = Json.mapper().readTree(r.value());
                        } catch (java.io.IOException e) {
                            throw new IllegalStateException(e);
                        }
                        long model = 0;
                        for (JsonNode at : a.path("attempts")) {
                            model += at.path("latency_ms").asLong();
                        }
                        Long sent = sentAt.get(a.path("id").asText());
                        if (sent != null) {
                            added.add((now - sent) / 1e6 - model);
                        }
                    }), "lat-reader");
            reader.start();
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                    broker.bootstrapServers(), "linger.ms", 0), new org.apache.kafka.common.serialization
                    .ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    String id = suffix + "-" + i;
                    sentAt.put(id, System.nanoTime());
                    p.send(new ProducerRecord<>(in, id.getBytes(StandardCharsets.UTF_8), ("{\"id\":\"" + id
                            + "\",\"prompt\":\"latency probe " + i + "\"}").getBytes(StandardCharsets.UTF_8)));
                }
            }
            reader.join();
        }
        return new ArrayList<>(added);
    }
}
