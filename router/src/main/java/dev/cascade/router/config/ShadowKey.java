package dev.cascade.router.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The secret key of shadow sampling ({@code router.shadow_key_env} or {@code router.shadow_key_file}), read from the
 * environment or a file like a tier's API key, never from the config file. It never shows in {@link #toString()}.
 * Immutable.
 */
public final class ShadowKey {
    /** Shorter keys are refused: a key must not be guessable. */
    public static final int MIN_BYTES = 16;

    private final byte[] bytes;

    private ShadowKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The key's bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return "ShadowKey[redacted]";
    }

    /** The key named in {@code router}, or null when none is named; problems go to {@code router}'s errors. */
    static ShadowKey from(Fields router, Map<String, String> env) {
        String keyEnv = router.string("shadow_key_env", null);
        String keyFile = router.string("shadow_key_file", null);
        if (router.has("shadow_key")) {
            router.error("shadow_key", "secrets are never read from the config file; name an environment variable "
                    + "(shadow_key_env) or a file (shadow_key_file)");
        }
        if (keyEnv != null && keyFile != null) {
            router.error("shadow_key_env", "name the key once: shadow_key_env or shadow_key_file, not both");
            return null;
        }
        String key = null;
        if (keyEnv != null) {
            key = env.get(keyEnv);
            if (key == null || key.isBlank()) {
                router.error("shadow_key_env", "environment variable " + keyEnv + " is not set");
                return null;
            }
        } else if (keyFile != null) {
            try {
                key = Files.readString(Path.of(keyFile));
            } catch (IOException e) {
                router.error("shadow_key_file", "cannot read " + keyFile);
                return null;
            }
        }
        if (key == null) {
            return null;
        }
        byte[] bytes = key.trim().getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_BYTES) {
            router.error(keyEnv != null ? "shadow_key_env" : "shadow_key_file", "the key must be at least "
                    + MIN_BYTES + " bytes (it is " + bytes.length + "); e.g. openssl rand -hex 32");
            return null;
        }
        return new ShadowKey(bytes);
    }
}
