package dev.cascade.router.processor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which reply topics a query may name, by the topic it was read from. A query from the shared queries topic may name
 * a topic of the shared allow-list that no tenant claims; a query from a tenant's own queries topic must name one of
 * that tenant's reply topics, and is the tenant's whatever its {@code tenant} field says (a different name is
 * refused). Since Kafka ACLs decide who may write a tenant's queries topic, they decide who may be answered on its
 * reply topics. Pure and thread-safe.
 */
public final class ReplyRules {
    /** A tenant: its name, its own queries topic, and the reply topics only its queries may name. */
    public record Tenant(String name, String queries, List<String> replyToAllow) {
    }

    private record Compiled(Tenant tenant, List<Pattern> allow) {
    }

    private final List<Pattern> shared;
    private final Map<String, Compiled> bySource = new LinkedHashMap<>();
    private final Map<String, Compiled> byName = new LinkedHashMap<>();

    /** @param sharedAllow glob patterns ({@code *} matches any run of characters) for the shared queries topic */
    public ReplyRules(List<String> sharedAllow, List<Tenant> tenants) {
        this.shared = compile(sharedAllow);
        for (Tenant t : tenants) {
            Compiled c = new Compiled(t, compile(t.replyToAllow()));
            bySource.put(t.queries(), c);
            byName.put(t.name(), c);
        }
    }

    static Pattern glob(String pattern) {
        return Pattern.compile(java.util.Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote)
                .collect(Collectors.joining(".*")));
    }

    private static List<Pattern> compile(List<String> globs) {
        List<Pattern> out = new ArrayList<>();
        globs.forEach(g -> out.add(glob(g)));
        return out;
    }

    private static boolean matches(List<Pattern> allow, String topic) {
        return allow.stream().anyMatch(p -> p.matcher(topic).matches());
    }

    /** Why a query read from {@code source} may not name {@code replyTo} (null: no reply topic); null when it may. */
    String replyRefusal(String source, String replyTo) {
        Compiled own = source == null ? null : bySource.get(source);
        if (own != null) {
            if (replyTo == null) {
                return "queries of tenant '" + own.tenant().name() + "' must name a reply_to topic (one of "
                        + own.tenant().replyToAllow() + ")";
            }
            return matches(own.allow(), replyTo) ? null : "reply_to '" + replyTo + "' is not a reply topic of "
                    + "tenant '" + own.tenant().name() + "'";
        }
        if (replyTo == null) {
            return null;
        }
        if (!matches(shared, replyTo)) {
            return "reply_to '" + replyTo + "' is not a topic the router may write answers to";
        }
        for (Compiled c : byName.values()) {
            if (matches(c.allow(), replyTo)) {
                return "reply_to '" + replyTo + "' belongs to tenant '" + c.tenant().name() + "': only queries on "
                        + c.tenant().queries() + " may name it";
            }
        }
        return null;
    }

    /** Why a query read from {@code source} may not say it is {@code tenant}'s; null when it may. */
    String tenantRefusal(String source, String tenant) {
        Compiled own = source == null ? null : bySource.get(source);
        if (own != null) {
            return tenant == null || tenant.equals(own.tenant().name()) ? null : "'tenant' is '" + tenant
                    + "' but the query came on the queries topic of tenant '" + own.tenant().name() + "'";
        }
        Compiled claimed = tenant == null ? null : byName.get(tenant);
        return claimed == null ? null : "tenant '" + tenant + "' sends its queries on " + claimed.tenant().queries();
    }

    /** The tenant a query read from {@code source} belongs to: the topic's tenant, else what the query says. */
    String tenantOf(String source, String tenant) {
        Compiled own = source == null ? null : bySource.get(source);
        return own != null ? own.tenant().name() : tenant;
    }
}
