package dev.cascade.local.bench;

import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.ledger.LedgerMain;
import dev.cascade.router.RouterMain;
import dev.cascade.simulator.ModelBehaviour;
import dev.cascade.simulator.ModelSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Resident memory (VmRSS) of the router and the ledger, each its own JVM with the local stack's configs and
 * -Xmx512m, at a steady 100 queries/s: once with the small tier answering in 50 ms (about 5 calls in flight) and once
 * in 1,500 ms (about 150 in flight); the difference divided by the difference in calls in flight estimates the memory
 * per in-flight query.
 */
final class Memory {
    private Memory() {
    }

    static void run(EmbeddedKafkaBroker broker, Path dir, Path home, int rate, int seconds) throws Exception {
        try (ModelSimulator sim = ModelSimulator.start(0, Map.of(
                "small-model", new ModelBehaviour(1.0, 50, 0.95, 0.95, 0, 0, ModelBehaviour.Mode.OK, 0),
                "medium-model", new ModelBehaviour(1.0, 10, 0.95, 0.95, 0, 0, ModelBehaviour.Mode.OK, 0),
                "large-model", new ModelBehaviour(1.0, 10, 0.95, 0.95, 0, 0, ModelBehaviour.Mode.OK, 0),
                "general-model", new ModelBehaviour(1.0, 10, 0.95, 0.95, 0, 0, ModelBehaviour.Mode.OK, 0)))) {
            dev.cascade.local.LocalStackMain.createTopics(broker.bootstrapServers());
            Map<String, String> env = new LinkedHashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "KAFKA_STATE_DIR", dir.resolve("mem-router").toString(),
                    "CASCADE_ADMIN_PORT", Integer.toString(EmbeddedKafkaBroker.freePort()),
                    "CASCADE_TIER_SMALL_MAX_IN_FLIGHT", "512"));
            for (String t : List.of("SMALL", "MEDIUM", "LARGE", "GENERAL")) {
                env.put("CASCADE_TIER_" + t + "_BASE_URL", sim.baseUrl() + "/v1");
            }
            Process router = dev.cascade.local.ChildJvm.start(RouterMain.class.getName(),
                    home.resolve("deploy/local/config/router.yaml"), env, dir.resolve("mem-router.log"), "512m");
            Process ledger = dev.cascade.local.ChildJvm.start(LedgerMain.class.getName(), home.resolve("deploy/local/config/ledger.yaml"),
                    Map.of("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(), "KAFKA_STATE_DIR",
                            dir.resolve("mem-ledger").toString(), "LEDGER_HTTP_PORT",
                            Integer.toString(EmbeddedKafkaBroker.freePort())), dir.resolve("mem-ledger.log"), "512m");
            try {
                Thread.sleep(15_000);
                List<String> lines = new ArrayList<>();
                long[] low = phase(broker, rate, seconds, "low", router, ledger);
                sim.update("small-model", Map.of("latency_ms", 1500));
                long[] high = phase(broker, rate, seconds, "high", router, ledger);
                double inflightLow = rate * 0.05;
                double inflightHigh = rate * 1.5;
                lines.add(String.format(Locale.ROOT, "router RSS at ~%.0f calls in flight: %d MiB; at ~%.0f: %d MiB",
                        inflightLow, low[0] >> 10, inflightHigh, high[0] >> 10));
                lines.add(String.format(Locale.ROOT, "ledger RSS at the same loads: %d MiB and %d MiB",
                        low[1] >> 10, high[1] >> 10));
                lines.add(String.format(Locale.ROOT, "router RSS per additional in-flight query: %.1f KiB",
                        (high[0] - low[0]) / (inflightHigh - inflightLow)));
                System.out.println();
                lines.forEach(System.out::println);
            } finally {
                router.destroy();
                ledger.destroy();
                router.waitFor();
                ledger.waitFor();
            }
        }
    }

    /** Publishes at {@code rate} for {@code seconds}; returns the RSS (KiB) of router and ledger at the end. */
    private static long[] phase(EmbeddedKafkaBroker broker, int rate, int seconds, String name, Process router,
                                Process ledger) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < rate * seconds; i++) {
                long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String id = name + "-" + i;
                p.send(new ProducerRecord<>("cascade.queries", id.getBytes(StandardCharsets.UTF_8),
                        ("{\"id\":\"" + id + "\",\"prompt\":\"memory probe " + i + " " + "y".repeat(800) + "\"}")
                                .getBytes(StandardCharsets.UTF_8)));
            }
        }
        long[] rss = {rssKib(router), rssKib(ledger)};
        System.out.printf(Locale.ROOT, "phase %s: router %d MiB, ledger %d MiB%n", name, rss[0] >> 10, rss[1] >> 10);
        return rss;
    }

    static long rssKib(Process p) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + p.pid());
    }
}
