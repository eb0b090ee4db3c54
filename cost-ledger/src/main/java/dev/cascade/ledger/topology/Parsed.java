package dev.cascade.ledger.topology;

import dev.cascade.events.JsonSerde;
import java.util.function.Function;

/**
 * A topic value parsed once: the record, or why it cannot be used together with the bytes as read (for the
 * dead-letter topic). Immutable.
 *
 * @param value   the parsed record; null when {@code problem} is set
 * @param problem why the value cannot be used; null when it can
 * @param raw     the bytes as read, kept only for a value that cannot be used
 */
record Parsed<T>(T value, String problem, byte[] raw) {

    /** Parses {@code raw} and checks the result with {@code check} (which returns a problem or null). */
    static <T> Parsed<T> of(byte[] raw, JsonSerde<T> serde, Function<? super T, String> check) {
        if (raw == null) {
            return new Parsed<>(null, "empty value", null);
        }
        T value;
        try {
            value = serde.fromBytes(raw);
        } catch (RuntimeException e) {
            return new Parsed<>(null, e.getMessage(), raw);
        }
        if (value == null) {
            return new Parsed<>(null, "empty value", raw);
        }
        String problem = check.apply(value);
        return problem == null ? new Parsed<>(value, null, null) : new Parsed<>(null, problem, raw);
    }

    boolean ok() {
        return value != null;
    }
}
