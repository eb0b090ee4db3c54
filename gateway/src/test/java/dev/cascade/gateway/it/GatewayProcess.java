package dev.cascade.gateway.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cascade.gateway.GatewayMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A gateway as its own JVM (like production), started from the test classpath, killable with SIGKILL. */
final class GatewayProcess implements AutoCloseable {
    final int port;
    final Path log;
    private final Process process;

    private GatewayProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static GatewayProcess start(Map<String, Object> doc, int port, Map<String, String> env, String name)
            throws IOException {
        Path dir = CascadeStack.testDir().resolve("gateway-" + name).toAbsolutePath();
        Files.createDirectories(dir);
        Path config = dir.resolve("gateway.yaml");
        Map<String, Object> d = new java.util.LinkedHashMap<>(doc);
        d.put("http_port", port);
        new ObjectMapper(new YAMLFactory()).writeValue(config.toFile(), d);
        Path log = dir.resolve("gateway.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                GatewayMain.class.getName(), "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("GATEWAY_"));
        pb.environment().putAll(env);
        GatewayProcess p = new GatewayProcess(pb.start(), port, log);
        org.awaitility.Awaitility.await(name + " ready").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    if (!p.process.isAlive()) {
                        throw new IllegalStateException(name + " exited:\n" + Files.readString(log));
                    }
                    try {
                        return Http.get(port, "/health/ready", null).statusCode() == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
        return p;
    }

    /** SIGKILL: no shutdown hook, no clean close. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
