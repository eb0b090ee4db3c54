package dev.cascade.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a JSON Lines file, gzip-compressed when its name ends in {@code .gz}: the format of cascade-outcomes files,
 * read by the calibrator, the replay simulator and the local stack. Blank lines are skipped; any error names the file
 * and the line.
 */
public final class JsonLines {
    /** Takes one parsed line; may refuse it with an {@link IOException} or {@link IllegalArgumentException}. */
    @FunctionalInterface
    public interface Handler {
        void accept(JsonNode line) throws IOException;
    }

    private JsonLines() {
    }

    /** Hands every line to {@code handler} in order; returns how many there were; an empty file is an error. */
    public static int read(Path file, Handler handler) throws IOException {
        int lines = 0;
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    handler.accept(Json.mapper().readTree(line));
                } catch (IOException | IllegalArgumentException e) {
                    throw new IOException(file + " line " + number + ": " + e.getMessage(), e);
                }
                lines++;
            }
        } catch (ZipException | EOFException e) {
            throw new IOException(file + ": not a readable gzip file: " + e.getMessage(), e);
        }
        if (lines == 0) {
            throw new IOException(file + ": no queries");
        }
        return lines;
    }
}
