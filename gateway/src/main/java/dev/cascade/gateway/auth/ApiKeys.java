package dev.cascade.gateway.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * API keys and the tenant each belongs to. Only SHA-256 digests of the keys are kept; a presented key is hashed and
 * looked up, so no key is held in memory longer than a request, and none is ever logged or echoed in an error.
 * Immutable and thread-safe.
 */
public final class ApiKeys {
    private static final Pattern TENANT = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final String BEARER = "bearer ";

    private final Map<String, String> tenantByHash;
    private final String anyKeyTenant;

    private ApiKeys(Map<String, String> tenantByHash, String anyKeyTenant) {
        this.tenantByHash = Map.copyOf(tenantByHash);
        this.anyKeyTenant = anyKeyTenant;
    }

    /** Accepts every non-empty key as {@code tenant}: for a local stack on loopback only. */
    public static ApiKeys anyKey(String tenant) {
        return new ApiKeys(Map.of(), tenant);
    }

    /**
     * Keys from a file of {@code tenant key} lines ({@code #} starts a comment; a key may be written as
     * {@code sha256:<64 hex digits>} so the file holds no secret) and from {@code tenant=key,...} (environment).
     *
     * @throws IllegalArgumentException naming the line at fault, never the key
     */
    public static ApiKeys load(Path file, String envKeys) {
        Map<String, String> byHash = new HashMap<>();
        List<String> errors = new ArrayList<>();
        if (file != null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the API keys file " + file + ": " + e.getMessage());
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+");
                add(byHash, parts.length == 2 ? parts[0] : null, parts.length == 2 ? parts[1] : null,
                        file + " line " + (i + 1), errors);
            }
        }
        if (envKeys != null && !envKeys.isBlank()) {
            String[] entries = envKeys.split(",");
            for (int i = 0; i < entries.length; i++) {
                String[] parts = entries[i].strip().split("=", 2);
                add(byHash, parts.length == 2 ? parts[0].strip() : null, parts.length == 2 ? parts[1].strip() : null,
                        "GATEWAY_API_KEYS entry " + (i + 1), errors);
            }
        }
        if (byHash.isEmpty() && errors.isEmpty()) {
            errors.add("no API keys were given");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return new ApiKeys(byHash, null);
    }

    private static void add(Map<String, String> byHash, String tenant, String key, String where,
                            List<String> errors) {
        if (tenant == null || key == null || key.isEmpty()) {
            errors.add(where + ": expected a tenant and a key");
        } else if (!TENANT.matcher(tenant).matches()) {
            errors.add(where + ": tenant must be 1-64 of [a-zA-Z0-9_.-]");
        } else {
            String hash = HASH.matcher(key).matches() ? key.substring(7) : sha256(key);
            String before = byHash.putIfAbsent(hash, tenant);
            if (before != null && !before.equals(tenant)) {
                errors.add(where + ": the same key is already given to another tenant");
            }
        }
    }

    /** The tenant of the bearer key in an {@code Authorization} header value; empty when it is not a valid key. */
    public Optional<String> tenant(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String key = authorization.substring(BEARER.length()).strip();
        if (key.isEmpty()) {
            return Optional.empty();
        }
        if (anyKeyTenant != null) {
            return Optional.of(anyKeyTenant);
        }
        return Optional.ofNullable(tenantByHash.get(sha256(key)));
    }

    /** The number of keys known (not the keys). */
    public int size() {
        return tenantByHash.size();
    }

    /** Lower-case hex SHA-256 of the key's UTF-8 bytes (what a keys file may hold as {@code sha256:<hex>}). */
    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return anyKeyTenant != null ? "ApiKeys[any key -> " + anyKeyTenant + "]" : "ApiKeys[" + size() + " keys]";
    }
}
