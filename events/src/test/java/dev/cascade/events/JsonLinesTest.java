package dev.cascade.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {
    @TempDir
    Path dir;

    private Path plain(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private Path gzipped(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    private static List<String> ids(Path file) throws IOException {
        List<String> ids = new ArrayList<>();
        JsonLines.read(file, line -> ids.add(line.path("id").asText()));
        return ids;
    }

    @Test
    void shouldHandEveryLineInOrderAndCountThem() throws IOException {
        Path file = plain("outcomes.jsonl", "{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n");
        List<String> ids = new ArrayList<>();

        int count = JsonLines.read(file, line -> ids.add(line.path("id").asText()));

        assertThat(count).isEqualTo(3);
        assertThat(ids).containsExactly("a", "b", "c");
    }

    @Test
    void shouldReadGzipWhenTheNameEndsInGz() throws IOException {
        Path file = gzipped("outcomes.jsonl.gz", "{\"id\":\"a\"}\n{\"id\":\"é\"}\n");

        assertThat(ids(file)).containsExactly("a", "é");
    }

    @Test
    void shouldSkipBlankLinesWithoutCountingThem() throws IOException {
        Path file = plain("outcomes.jsonl", "\n{\"id\":\"a\"}\n   \n\t\n{\"id\":\"b\"}\n\n");

        assertThat(JsonLines.read(file, line -> { })).isEqualTo(2);
        assertThat(ids(file)).containsExactly("a", "b");
    }

    @Test
    void shouldReadLastLineWithoutNewline() throws IOException {
        Path file = plain("outcomes.jsonl", "{\"id\":\"a\"}\n{\"id\":\"b\"}");

        assertThat(ids(file)).containsExactly("a", "b");
    }

    @Test
    void shouldNameFileAndLineOfMalformedJson() throws IOException {
        Path file = plain("outcomes.jsonl", "{\"id\":\"a\"}\n\n{\"id\": oops}\n{\"id\":\"c\"}\n");
        List<String> seen = new ArrayList<>();

        assertThatThrownBy(() -> JsonLines.read(file, line -> seen.add(line.path("id").asText())))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + " line 3: ");
        assertThat(seen).containsExactly("a");
    }

    @Test
    void shouldNameLineTheHandlerRefuses() throws IOException {
        Path file = gzipped("outcomes.jsonl.gz", "{\"id\":\"a\"}\n{\"id\":\"b\"}\n");

        assertThatThrownBy(() -> JsonLines.read(file, line -> {
            if (line.path("id").asText().equals("b")) {
                throw new IllegalArgumentException("'messages' must be a non-empty array");
            }
        })).isInstanceOf(IOException.class)
                .hasMessage(file + " line 2: 'messages' must be a non-empty array")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRefuseFileWithOnlyBlankLines() throws IOException {
        Path file = plain("empty.jsonl", "\n  \n");

        assertThatThrownBy(() -> JsonLines.read(file, line -> { }))
                .isInstanceOf(IOException.class)
                .hasMessage(file + ": no queries");
    }

    @Test
    void shouldNameGzFileThatIsNotGzip() throws IOException {
        Path file = plain("outcomes.jsonl.gz", "{\"id\":\"a\"}\n");

        assertThatThrownBy(() -> JsonLines.read(file, line -> { }))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ": not a readable gzip file");
    }

    @Test
    void shouldNameTruncatedGzFile() throws IOException {
        Path whole = gzipped("whole.jsonl.gz", "{\"id\":\"a\"}\n".repeat(200));
        byte[] bytes = Files.readAllBytes(whole);
        Path file = Files.write(dir.resolve("truncated.jsonl.gz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> JsonLines.read(file, line -> { }))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ": not a readable gzip file");
    }
}
