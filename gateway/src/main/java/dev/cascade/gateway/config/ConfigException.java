package dev.cascade.gateway.config;

import java.util.List;

/** A gateway configuration that cannot be used, with every problem found (not only the first). */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String source, List<String> problems) {
        super("invalid gateway configuration in " + source + ":\n  - " + String.join("\n  - ", problems));
    }
}
