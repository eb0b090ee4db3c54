package dev.cascade.gateway.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official {@code openai} npm client, installed with npm under {@code target/openai-client} and run with node.
 * Needs node and npm: where they are missing the test is skipped, except under CI ({@code CI=true}), where it fails.
 */
final class NodeClient {
    static final String OPENAI_VERSION = "7.55.0";
    private final Path dir;

    private NodeClient(Path dir) {
        this.dir = dir;
    }

    static NodeClient install() throws Exception {
        boolean present = onPath("node") && onPath("npm");
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("node and npm are required under CI for the openai client tests");
        }
        assumeTrue(present, "node and npm are needed for the openai client tests");
        Path dir = CascadeStack.testDir().resolve("openai-client").toAbsolutePath();
        Files.createDirectories(dir);
        Path installed = dir.resolve("node_modules/openai/package.json");
        if (!Files.exists(installed) || !Files.readString(installed).contains("\"version\": \"" + OPENAI_VERSION
                + "\"")) {
            Files.writeString(dir.resolve("package.json"), "{\"name\":\"gateway-openai-check\",\"private\":true,"
                    + "\"type\":\"module\"}\n");
            run(dir, List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
                    "openai@" + OPENAI_VERSION), 300);
        }
        try (InputStream in = NodeClient.class.getResourceAsStream("/openai-client/check.mjs")) {
            Files.copy(in, dir.resolve("check.mjs"), StandardCopyOption.REPLACE_EXISTING);
        }
        return new NodeClient(dir);
    }

    /** Runs the scenarios against {@code baseUrl}; one parsed result per scenario, by name. */
    Map<String, JsonNode> run(String baseUrl, String key, String... scenarios) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "check.mjs", baseUrl, key));
        command.addAll(List.of(scenarios));
        String out = run(dir, command, 180);
        Map<String, JsonNode> results = new LinkedHashMap<>();
        for (String line : out.lines().filter(l -> l.startsWith("{")).toList()) {
            JsonNode n = Json.mapper().readTree(line);
            results.put(n.path("scenario").asText(), n);
        }
        return results;
    }

    private static String run(Path dir, List<String> command, int timeoutSeconds) throws Exception {
        Path log = Files.createTempFile(dir, "run-", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish within " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail(command + " exited with " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    private static boolean onPath(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
