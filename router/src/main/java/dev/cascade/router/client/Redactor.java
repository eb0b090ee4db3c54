package dev.cascade.router.client;

import java.net.URI;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes credentials out of text that may reach events or logs (a server's error body, an exception message): the
 * tier's own key wherever it occurs, and anything shaped like a credential: bearer and basic tokens, {@code sk-...}
 * keys, and the values of key-, token-, secret- or password-named headers, fields and parameters. Each becomes
 * {@value #REDACTED}. Immutable, thread-safe.
 */
public final class Redactor {
    public static final String REDACTED = "[redacted]";

    private static final Redactor PATTERNS_ONLY = new Redactor(null);
    private static final List<Pattern> SHAPES = List.of(
            Pattern.compile("(?i)\\b((?:bearer|basic)\\s+)[A-Za-z0-9._~+/=-]+"),
            Pattern.compile("()\\bsk-[A-Za-z0-9_-]{6,}"),
            Pattern.compile("(?i)(\\b(?:[a-z0-9]+[-_])*(?:apikey|key|token|secret|password|passwd|authorization"
                    + "|credential)[\"']?\\s*[:=]\\s*[\"']?)(?!\\[redacted])(?!(?:bearer|basic)\\s)[^\\s\"',;&}]+"));

    private final String secret;

    private Redactor(String secret) {
        this.secret = secret == null || secret.isBlank() ? null : secret;
    }

    /** A redactor for a tier whose key is {@code secret} (null when it has none). */
    public static Redactor of(String secret) {
        return secret == null || secret.isBlank() ? PATTERNS_ONLY : new Redactor(secret);
    }

    /** A redactor that knows no key, only the shapes of credentials. */
    public static Redactor patternsOnly() {
        return PATTERNS_ONLY;
    }

    public String scrub(String text) {
        if (text == null) {
            return null;
        }
        String out = secret == null ? text : text.replace(secret, REDACTED);
        for (Pattern shape : SHAPES) {
            Matcher m = shape.matcher(out);
            out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + REDACTED));
        }
        return out;
    }

    /** Scheme, host, port and path of {@code uri}: never its user info, query or fragment. */
    public static String where(URI uri) {
        String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getHost() + port + path;
    }
}
