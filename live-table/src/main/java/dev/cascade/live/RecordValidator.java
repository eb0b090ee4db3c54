package dev.cascade.live;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Parses and validates one record of a compacted settings topic (key = name, value = JSON settings). Pure and
 * thread-safe: the live table and the status processor call the same validator, so what is reported is what is
 * applied.
 */
public interface RecordValidator<V> {
    /** The value for {@code key}, or an {@link InvalidRecordException} naming what is wrong and the rejected value. */
    V parse(String key, byte[] value) throws InvalidRecordException;

    /** The accepted value as JSON, for status records. */
    JsonNode toJson(V value);
}
