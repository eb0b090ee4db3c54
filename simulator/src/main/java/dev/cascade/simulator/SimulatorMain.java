package dev.cascade.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator as its own process: {@code --config models.yaml [--port P]}. The file:
 * <pre>
 * port: 8090
 * models:
 *   small-model: {accuracy: 0.6, latency_ms: 20, confidence_correct: 0.9, confidence_wrong: 0.5}
 * </pre>
 * Prints {@code READY <base url>} once it listens.
 *
 * <p>Replay: {@code --replay outcomes.jsonl[.gz] [--latency-factor F] [--prices prices.yaml]} serves the file's
 * recorded answers for its models ({@code --config} then optional). The prices file maps model names to
 * {@code {input_usd_per_1m_tokens: .., output_usd_per_1m_tokens: ..}}.
 */
public final class SimulatorMain {
    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        Path config = null;
        Integer port = null;
        Path replayFile = null;
        Path pricesFile = null;
        double latencyFactor = 1.0;
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--config" -> config = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--replay" -> replayFile = Path.of(args[++i]);
                case "--prices" -> pricesFile = Path.of(args[++i]);
                case "--latency-factor" -> latencyFactor = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (expected --config FILE, --port P, --replay FILE, --prices FILE, --latency-factor F)");
            }
        }
        if (config == null && replayFile == null) {
            throw new IllegalArgumentException("--config FILE or --replay FILE is required");
        }
        Replay replay = replayFile == null ? null
                : Replay.load(replayFile, prices(pricesFile), latencyFactor);
        Map<String, Object> root = config == null ? Map.of("models", Map.of())
                : new ObjectMapper(new YAMLFactory()).readValue(config.toFile(), Map.class);
        Map<String, ModelBehaviour> models = new LinkedHashMap<>();
        Object modelsNode = root.get("models");
        if (!(modelsNode instanceof Map<?, ?> modelMap) || (modelMap.isEmpty() && replay == null)) {
            throw new IllegalArgumentException(config + ": 'models' must be a non-empty map of model name to behaviour");
        }
        for (Map.Entry<?, ?> e : modelMap.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = e.getValue() == null ? Map.of() : (Map<String, Object>) e.getValue();
            try {
                models.put(e.getKey().toString(), ModelBehaviour.defaults().with(fields));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(config + ": model " + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        int listenPort = port != null ? port : ((Number) root.getOrDefault("port", 8090)).intValue();
        ModelSimulator sim = ModelSimulator.start(listenPort, models, replay);
        if (replay != null) {
            System.out.println("replaying " + replay.queries() + " recorded queries of " + replay.models() + " from "
                    + replayFile + " at " + latencyFactor + " x recorded latency");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        System.out.println("READY " + sim.baseUrl());
        System.out.flush();
        stopped.await();
    }

    /** Token prices per model from a YAML map; an empty map without a file. */
    static Map<String, Replay.Price> prices(Path file) throws java.io.IOException {
        Map<String, Replay.Price> prices = new LinkedHashMap<>();
        if (file == null) {
            return prices;
        }
        Map<?, ?> root = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Map.class);
        for (Map.Entry<?, ?> e : root.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> p) || p.get("input_usd_per_1m_tokens") == null
                    || p.get("output_usd_per_1m_tokens") == null) {
                throw new IllegalArgumentException(file + ": model " + e.getKey() + " needs input_usd_per_1m_tokens "
                        + "and output_usd_per_1m_tokens");
            }
            prices.put(e.getKey().toString(), new Replay.Price(
                    new java.math.BigDecimal(p.get("input_usd_per_1m_tokens").toString()),
                    new java.math.BigDecimal(p.get("output_usd_per_1m_tokens").toString())));
        }
        return prices;
    }
}
