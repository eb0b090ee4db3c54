package dev.cascade.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tools are found where {@code command -v} finds them, whatever directory of the PATH that is. */
class SystemToolTest {

    private static Path program(Path dir, String name, boolean executable) throws Exception {
        Files.createDirectories(dir);
        Path p = Files.writeString(dir.resolve(name), "#!/bin/sh\nexit 0\n");
        assertTrue(p.toFile().setExecutable(executable));
        return p;
    }

    @Test
    void shouldFindAToolInAnyDirectoryOfThePathInOrder(@TempDir Path tmp) throws Exception {
        Path first = program(tmp.resolve("opt/prometheus/bin"), "prometheus", true);
        program(tmp.resolve("usr/local/bin"), "prometheus", true);
        program(tmp.resolve("home/bin"), "chromium", false);
        String path = String.join(File.pathSeparator, "", tmp.resolve("nowhere").toString(),
                tmp.resolve("home/bin").toString(), tmp.resolve("opt/prometheus/bin").toString(),
                tmp.resolve("usr/local/bin").toString());
        assertEquals(Optional.of(first.toAbsolutePath()), SystemTool.onPath("prometheus", path));
        assertEquals(Optional.empty(), SystemTool.onPath("chromium", path), "not executable: not a tool");
        assertEquals(Optional.empty(), SystemTool.onPath("../prometheus", path));
        assertEquals(Optional.empty(), SystemTool.onPath("prometheus", null));
    }

    @Test
    void shouldRequireToolsOnlyWhenCiSaysSo() {
        assertTrue(SystemTool.required("1", null));
        assertTrue(SystemTool.required(null, "true"));
        assertFalse(SystemTool.required(null, null));
        assertFalse(SystemTool.required("0", "false"));
    }
}
