package dev.cascade.router.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cascade.router.RouterMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The router as its own JVM (like production), started from the test classpath, killable with SIGKILL. */
final class RouterProcess implements AutoCloseable {
    private final Process process;
    final Path log;

    private RouterProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static RouterProcess start(Map<String, Object> doc, Path dir, String name) throws IOException {
        return start(doc, dir, name, Map.of(), "warn");
    }

    static RouterProcess start(Map<String, Object> doc, Path dir, String name, Map<String, String> env,
                               String logLevel) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("router.yaml");
        new ObjectMapper(new YAMLFactory()).writeValue(config.toFile(), doc);
        Path log = dir.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx512m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + logLevel,
                "-Djava.io.tmpdir=" + dir,
                "-cp", System.getProperty("java.class.path"),
                RouterMain.class.getName(), "--config", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("CASCADE_"));
        pb.environment().putAll(env);
        return new RouterProcess(pb.start(), log);
    }

    /** Waits for the process to end by itself; its exit code, or -1 if it is still running after {@code wait}. */
    int awaitExit(java.time.Duration wait) throws InterruptedException {
        return process.waitFor(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    long pid() {
        return process.pid();
    }

    /** Resident memory of the process in bytes (VmRSS), or -1 when it cannot be read (no /proc). */
    long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The admin port the router printed once started, or -1 before that. */
    int adminPort() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("router started: admin on \\S*:(\\d+),")
                .matcher(output());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no commit, no clean close. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

}
