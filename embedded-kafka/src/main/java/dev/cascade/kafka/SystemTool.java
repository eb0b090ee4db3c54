package dev.cascade.kafka;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A program some tests run beside the broker (Chromium, Prometheus), found the way the shell's {@code command -v}
 * finds it: the first executable of that name in a directory of {@code PATH}. {@code .ci/run} installs a tool only
 * when {@code command -v} does not find it, so tests and CI agree on where it is; and CI sets
 * {@code CASCADE_REQUIRE_TOOLS=1}, under which a missing tool fails the test that needs it instead of skipping it.
 * Stateless, thread-safe.
 */
public final class SystemTool {
    /** Environment variable that makes a missing tool an error (set by {@code .ci/run}). */
    public static final String REQUIRE_ENV = "CASCADE_REQUIRE_TOOLS";
    /** System property with the same effect. */
    public static final String REQUIRE_PROPERTY = "cascade.require.tools";

    private SystemTool() {
    }

    /**
     * The tool, or null when it is not on the {@code PATH} and not required (the caller skips its test).
     *
     * @throws IllegalStateException when it is not on the {@code PATH} and tools are required
     */
    public static Path find(String name) {
        Optional<Path> tool = onPath(name, System.getenv("PATH"));
        if (tool.isPresent()) {
            return tool.get();
        }
        if (required(System.getenv(REQUIRE_ENV), System.getProperty(REQUIRE_PROPERTY))) {
            throw new IllegalStateException(name + " is not on the PATH, and " + REQUIRE_ENV + "=1 (CI) says the "
                    + "tests that need it must run: install it (.ci/run does) or put it on the PATH");
        }
        return null;
    }

    /** The first executable file named {@code name} in the directories of {@code path} (a PATH value). */
    static Optional<Path> onPath(String name, String path) {
        if (path == null || name.isEmpty() || name.contains(File.separator)) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            try {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toAbsolutePath());
                }
            } catch (InvalidPathException e) {
                // an unusable PATH entry is skipped, as the shell does
            }
        }
        return Optional.empty();
    }

    static boolean required(String env, String property) {
        return "1".equals(env == null ? null : env.trim()) || "true".equalsIgnoreCase(property);
    }
}
