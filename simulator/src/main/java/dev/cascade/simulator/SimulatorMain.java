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
 */
public final class SimulatorMain {
    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        Path config = null;
        Integer port = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (expected --config FILE, --port P)");
            }
        }
        if (config == null) {
            throw new IllegalArgumentException("--config FILE is required");
        }
        Map<String, Object> root = new ObjectMapper(new YAMLFactory()).readValue(config.toFile(), Map.class);
        Map<String, ModelBehaviour> models = new LinkedHashMap<>();
        Object modelsNode = root.get("models");
        if (!(modelsNode instanceof Map<?, ?> modelMap) || modelMap.isEmpty()) {
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
        ModelSimulator sim = ModelSimulator.start(listenPort, models);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        System.out.println("READY " + sim.baseUrl());
        System.out.flush();
        stopped.await();
    }
}
