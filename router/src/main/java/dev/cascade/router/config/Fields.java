package dev.cascade.router.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads typed fields out of one map of a parsed YAML/JSON document, collecting every problem (with its path and the
 * rejected value) instead of stopping at the first. Not thread-safe; one per parse.
 */
final class Fields {
    private final String path;
    private final Map<String, Object> values;
    private final List<String> errors;
    private final Set<String> read = new TreeSet<>();

    Fields(String path, Map<String, Object> values, List<String> errors) {
        this.path = path;
        this.values = values == null ? Map.of() : values;
        this.errors = errors;
    }

    static Fields root(Map<String, Object> values, List<String> errors) {
        return new Fields("", values, errors);
    }

    String where(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    void error(String key, String message) {
        errors.add(where(key) + ": " + message);
    }

    boolean has(String key) {
        return values.get(key) != null;
    }

    String string(String key, String fallback) {
        read.add(key);
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Map || v instanceof List) {
            error(key, "must be a string, got " + v);
            return fallback;
        }
        return v.toString();
    }

    String requiredString(String key) {
        String v = string(key, null);
        if (v == null || v.isBlank()) {
            if (!has(key)) {
                error(key, "is required");
            } else {
                error(key, "must not be blank");
            }
            return null;
        }
        return v;
    }

    long integer(String key, long fallback, long min, long max) {
        read.add(key);
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long n = new BigDecimal(v.toString().trim()).longValueExact();
            if (n < min || n > max) {
                error(key, "must be in [" + min + ", " + max + "], got " + n);
                return fallback;
            }
            return n;
        } catch (NumberFormatException | ArithmeticException e) {
            error(key, "must be a whole number, got '" + v + "'");
            return fallback;
        }
    }

    BigDecimal decimal(String key, BigDecimal fallback) {
        read.add(key);
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return new BigDecimal(v.toString().trim());
        } catch (NumberFormatException e) {
            error(key, "must be a decimal number, got '" + v + "'");
            return fallback;
        }
    }

    Fields object(String key) {
        read.add(key);
        Object v = values.get(key);
        if (v == null) {
            return new Fields(where(key), Map.of(), errors);
        }
        if (!(v instanceof Map<?, ?> m)) {
            error(key, "must be a map, got " + v);
            return new Fields(where(key), Map.of(), errors);
        }
        return new Fields(where(key), stringKeys(m), errors);
    }

    /** Entries of a map-valued field, each as its own {@link Fields} (or raw value when not a map). */
    Map<String, Object> entries(String key) {
        read.add(key);
        Object v = values.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            error(key, "must be a map, got " + v);
            return Map.of();
        }
        return stringKeys(m);
    }

    List<Object> list(String key) {
        read.add(key);
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            error(key, "must be a list, got " + v);
            return List.of();
        }
        return new ArrayList<>(l);
    }

    Fields child(String key, Object value) {
        if (!(value instanceof Map<?, ?> m)) {
            errors.add(where(key) + ": must be a map, got " + value);
            return new Fields(where(key), Map.of(), errors);
        }
        return new Fields(where(key), stringKeys(m), errors);
    }

    /** Reports every key present but never read: an unknown field is an error, never silently dropped. */
    void rejectUnknown() {
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                error(key, "unknown field");
            }
        }
    }

    static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
