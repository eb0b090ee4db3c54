package dev.cascade.router.config;

import dev.cascade.core.ConfidenceMethod;
import dev.cascade.core.pricing.TokenPrice;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Deployment config of one model tier. The API key is never part of this record: only the name of the environment
 * variable or file holding it ({@link #apiKeyEnv()}, {@link #apiKeyFile()}), resolved when the client is built; a
 * {@code base_url} carrying credentials (user info, a query string) is refused, and never echoed in the error.
 *
 * @param maxResponseBytes the largest response body read from the tier; a larger one is an ERROR attempt. The
 *                         default leaves an answer carrying the content room under the producer's default 1 MiB
 *                         {@code max.request.size}; raise both together.
 * @param maxTokens        the most completion tokens a call to this tier may ask for: a query's {@code max_tokens}
 *                         is lowered to it, and a query naming none is sent this; null leaves the query's limit (or
 *                         the server's default) as it is
 * @param maxWaiting       the most queries that may wait (per router instance) for a call slot of this tier once its
 *                         {@code maxInFlight} calls are taken; a query beyond it moves on to the next tier with room,
 *                         or fails as overloaded
 */
public record TierConfig(String name, Kind kind, URI baseUrl, String model, String apiKeyEnv, String apiKeyFile,
                         Duration timeout, int maxInFlight, ConfidenceMethod confidence, TokenPrice pricing,
                         BreakerSettings breaker, int maxResponseBytes, Integer maxTokens, int maxWaiting) {

    public static final int DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024;
    public static final int DEFAULT_MAX_WAITING = 1000;
    private static final long MAX_TOKENS_LIMIT = 10_000_000;
    private static final Pattern KEY_LIKE_PARAMETER = Pattern.compile(
            "(?i).*(key|token|secret|password|passwd|auth|sig|signature|credential).*");

    /** Fields of a tier that {@code CASCADE_TIER_<NAME>_<FIELD>} environment variables override. */
    public static final java.util.Set<String> ENV_FIELDS = java.util.Set.of("BASE_URL", "MODEL", "TIMEOUT_MS",
            "MAX_IN_FLIGHT", "MAX_TOKENS", "MAX_WAITING");

    /** The environment-variable prefix of a tier's overrides: {@code CASCADE_TIER_<NAME>_}. */
    public static String envPrefix(String tier) {
        return "CASCADE_TIER_" + tier.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_";
    }

    /** The wire protocol of the tier's server. */
    public enum Kind { OPENAI, ANTHROPIC }

    static TierConfig from(String name, Fields f, Map<String, String> env) {
        String prefix = envPrefix(name);
        String kindText = f.string("kind", "openai");
        Kind kind = null;
        try {
            kind = Kind.valueOf(kindText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            f.error("kind", "must be openai or anthropic, got '" + kindText + "'");
        }
        String url = env.getOrDefault(prefix + "BASE_URL", f.requiredString("base_url"));
        URI baseUrl = url == null ? null : baseUrl(url, f);
        String model = env.getOrDefault(prefix + "MODEL", f.requiredString("model"));
        String keyEnv = f.string("api_key_env", null);
        String keyFile = f.string("api_key_file", null);
        if (f.has("api_key")) {
            f.error("api_key", "secrets are never read from the config file; name an environment variable "
                    + "(api_key_env) or a file (api_key_file)");
        }
        long timeoutMs = f.integer("timeout_ms", 30_000, 1, 3_600_000);
        if (env.containsKey(prefix + "TIMEOUT_MS")) {
            timeoutMs = Long.parseLong(env.get(prefix + "TIMEOUT_MS").trim());
        }
        long maxInFlight = f.integer("max_in_flight", 64, 1, 100_000);
        if (env.containsKey(prefix + "MAX_IN_FLIGHT")) {
            maxInFlight = Long.parseLong(env.get(prefix + "MAX_IN_FLIGHT").trim());
        }
        long maxWaiting = f.integer("max_waiting", DEFAULT_MAX_WAITING, 0, 1_000_000);
        if (env.containsKey(prefix + "MAX_WAITING")) {
            maxWaiting = Long.parseLong(env.get(prefix + "MAX_WAITING").trim());
        }
        ConfidenceMethod confidence = ConfidenceMethod.NONE;
        try {
            confidence = ConfidenceMethod.parse(f.string("confidence", kind == Kind.ANTHROPIC ? "none" : "logprobs"));
        } catch (IllegalArgumentException e) {
            f.error("confidence", e.getMessage());
        }
        if (kind == Kind.ANTHROPIC && confidence != ConfidenceMethod.NONE) {
            f.error("confidence", "an anthropic tier gives no logprobs; use confidence: none (a terminal tier)");
        }
        Fields p = f.object("pricing");
        BigDecimal in = p.decimal("input_usd_per_1m_tokens", BigDecimal.ZERO);
        BigDecimal out = p.decimal("output_usd_per_1m_tokens", BigDecimal.ZERO);
        p.rejectUnknown();
        TokenPrice pricing = TokenPrice.FREE;
        try {
            pricing = new TokenPrice(in, out);
        } catch (IllegalArgumentException e) {
            f.error("pricing", e.getMessage());
        }
        BreakerSettings breaker = BreakerSettings.from(f.object("breaker"));
        long maxResponseBytes = f.integer("max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES, 1024, 64L * 1024 * 1024);
        long cap = f.integer("max_tokens", 0, 1, MAX_TOKENS_LIMIT);
        if (env.containsKey(prefix + "MAX_TOKENS")) {
            String v = env.get(prefix + "MAX_TOKENS").trim();
            cap = v.matches("[0-9]{1,8}") ? Long.parseLong(v) : 0;
            if (cap < 1 || cap > MAX_TOKENS_LIMIT) {
                f.error("max_tokens", "environment variable " + prefix + "MAX_TOKENS must be in [1, "
                        + MAX_TOKENS_LIMIT + "], got '" + v + "'");
                cap = 0;
            }
        }
        Integer maxTokens = cap == 0 ? null : (int) cap;
        f.rejectUnknown();
        return new TierConfig(name, kind, baseUrl, model, keyEnv, keyFile, Duration.ofMillis(timeoutMs),
                (int) maxInFlight, confidence, pricing, breaker, (int) maxResponseBytes, maxTokens, (int) maxWaiting);
    }

    /**
     * An http(s) URL with a host and nothing that could hold a credential or garble the request paths appended to
     * it: no user info, query or fragment. Errors name the problem, never the value (it may hold a key).
     */
    private static URI baseUrl(String url, Fields f) {
        URI uri;
        try {
            uri = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (URISyntaxException e) {
            f.error("base_url", "is not a valid URL (" + e.getReason() + "); the value is not shown, it may hold "
                    + "a credential");
            return null;
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            f.error("base_url", "must be an http(s) URL, got scheme '" + scheme + "'");
            return null;
        }
        boolean ok = true;
        if (uri.getRawUserInfo() != null) {
            f.error("base_url", "must not contain user info (credentials in the URL); name the key with "
                    + "api_key_env or api_key_file");
            ok = false;
        }
        if (uri.getHost() == null) {
            f.error("base_url", "must name a host");
            ok = false;
        }
        if (uri.getRawQuery() != null) {
            List<String> keyLike = Arrays.stream(uri.getRawQuery().split("&")).map(p -> p.split("=", 2)[0])
                    .filter(p -> KEY_LIKE_PARAMETER.matcher(p).matches() && p.length() <= 40).toList();
            f.error("base_url", "must not have a query string (request paths are appended to base_url)"
                    + (keyLike.isEmpty() ? "" : "; parameter " + keyLike + " looks like a credential: name the "
                    + "key with api_key_env or api_key_file"));
            ok = false;
        }
        if (uri.getRawFragment() != null) {
            f.error("base_url", "must not have a fragment");
            ok = false;
        }
        return ok ? uri : null;
    }
}
