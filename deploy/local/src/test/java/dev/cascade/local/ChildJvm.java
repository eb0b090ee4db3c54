package dev.cascade.local;

import java.nio.file.Path;
import java.util.Map;

/** Starts a service's main class as its own JVM from the test classpath, with a clean environment plus {@code env}. */
public final class ChildJvm {
    private ChildJvm() {
    }

    public static Process start(String main, Path config, Map<String, String> env, Path log, String maxHeap)
            throws java.io.IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
                System.getProperty("java.class.path"), main, "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("CASCADE_")
                || k.startsWith("LEDGER_"));
        pb.environment().putAll(env);
        return pb.start();
    }
}
