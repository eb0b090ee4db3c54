package dev.cascade.local.bench;

import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.router.RouterApp;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tiers;
import dev.cascade.simulator.ModelBehaviour;
import dev.cascade.simulator.ModelSimulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Router throughput with instant simulated tiers against a plain Kafka Streams pass-through on the same broker, in
 * the same run: each repeat drains a backlog of the same number of ~1 KiB records with each application, both under
 * exactly_once_v2 with the same batching settings, and reports records per second and their ratio.
 */
final class Throughput {
    private Throughput() {
    }

    static void run(EmbeddedKafkaBroker broker, Path dir, int n, int repeats) throws Exception {
        List<Double> pass = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        List<Double> mixed = new ArrayList<>();
        try (ModelSimulator sim = ModelSimulator.start(0, Map.of(
                "instant-all", new ModelBehaviour(1.0, 0, 0.95, 0.95, 0, 0, ModelBehaviour.Mode.OK, 0),
                "instant-mix", new ModelBehaviour(0.7, 0, 0.95, 0.5, 0, 0, ModelBehaviour.Mode.OK, 0),
                "instant-next", new ModelBehaviour(1.0, 0, 0.95, 0.95, 0, 0, ModelBehaviour.Mode.OK, 0)))) {
            for (int r = 0; r < repeats; r++) {
                pass.add(passThrough(broker, dir, n, "p" + r));
                first.add(router(broker, dir, sim, n, "a" + r, "instant-all"));
                mixed.add(router(broker, dir, sim, n, "m" + r, "instant-mix"));
                System.out.printf(Locale.ROOT, "repeat %d: pass-through %.0f/s, router all-first-tier %.0f/s "
                                + "(ratio %.2f), router 30%% escalating %.0f/s (ratio %.2f)%n", r + 1, pass.get(r),
                        first.get(r), first.get(r) / pass.get(r), mixed.get(r), mixed.get(r) / pass.get(r));
            }
        }
        List<Double> ratioFirst = new ArrayList<>();
        List<Double> ratioMixed = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            ratioFirst.add(first.get(r) / pass.get(r));
            ratioMixed.add(mixed.get(r) / pass.get(r));
        }
        System.out.println("pass-through:            " + Benchmarks.stats(pass, "records/s"));
        System.out.println("router, all first tier:  " + Benchmarks.stats(first, "queries/s"));
        System.out.println("router, 30% escalating:  " + Benchmarks.stats(mixed, "queries/s"));
        System.out.println("ratio, all first tier:   " + Benchmarks.stats(ratioFirst, ""));
        System.out.println("ratio, 30% escalating:   " + Benchmarks.stats(ratioMixed, ""));
    }

    static Properties common(String bootstrap, String appId, Path state) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("application.id", appId);
        p.put("state.dir", state.toString());
        p.put("processing.guarantee", "exactly_once_v2");
        p.put("commit.interval.ms", "100");
        p.put("producer.batch.size", "262144");
        p.put("main.consumer.max.poll.records", "2000");
        return p;
    }

    static double passThrough(EmbeddedKafkaBroker broker, Path dir, int n, String suffix) throws Exception {
        String in = "bench-in-" + suffix;
        String out = "bench-out-" + suffix;
        broker.createTopics(3, List.of(in, out));
        BenchKafka.publishQueries(broker.bootstrapServers(), in, "p", n);
        StreamsBuilder b = new StreamsBuilder();
        b.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())).mapValues(v -> v)
                .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        try (KafkaStreams streams = new KafkaStreams(b.build(), common(broker.bootstrapServers(),
                "bench-pass-" + suffix, dir.resolve("state-" + suffix)))) {
            long start = System.nanoTime();
            streams.start();
            long end = BenchKafka.awaitCount(broker.bootstrapServers(), out, n, Duration.ofMinutes(10), r -> { });
            return n / ((end - start) / 1e9);
        }
    }

    static double router(EmbeddedKafkaBroker broker, Path dir, ModelSimulator sim, int n, String suffix,
                         String firstModel) throws Exception {
        String in = "bench-q-" + suffix;
        String answers = "bench-a-" + suffix;
        broker.createTopics(3, List.of(in, answers, "bench-att-" + suffix, "bench-dlq-" + suffix));
        broker.createTopics(1, List.of("bench-cfg-" + suffix, "bench-cfgs-" + suffix));
        BenchKafka.publishQueries(broker.bootstrapServers(), in, "q", n);
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> kafka = new LinkedHashMap<>();
        common(broker.bootstrapServers(), "bench-router-" + suffix, dir.resolve("rstate-" + suffix))
                .forEach((k, v) -> kafka.put(k.toString(), v));
        doc.put("kafka", kafka);
        doc.put("topics", Map.of("queries", in, "answers", answers, "attempts", "bench-att-" + suffix,
                "dlq", "bench-dlq-" + suffix, "config", "bench-cfg-" + suffix, "config_status", "bench-cfgs-" + suffix));
        doc.put("router", Map.of("admin_port", 0));
        doc.put("tiers", Map.of(
                "first", Map.of("base_url", sim.baseUrl() + "/v1", "model", firstModel, "max_in_flight", 256),
                "next", Map.of("base_url", sim.baseUrl() + "/v1", "model", "instant-next", "confidence", "none",
                        "max_in_flight", 256)));
        doc.put("routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "first", "threshold", 0.8),
                Map.of("name", "next")))));
        RouterConfig config = RouterConfig.from(doc, Map.of(), "bench");
        try (Tiers tiers = Tiers.create(config.tiers().values(), Map.of());
             RouterApp app = new RouterApp(config, tiers,
                     new RouterMetrics(new SimpleMeterRegistry(), tiers, config.routes().keySet()))) {
            long start = System.nanoTime();
            app.start();
            long end = BenchKafka.awaitCount(broker.bootstrapServers(), answers, n, Duration.ofMinutes(10), r -> { });
            return n / ((end - start) / 1e9);
        }
    }
}
