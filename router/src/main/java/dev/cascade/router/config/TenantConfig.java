package dev.cascade.router.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A team with a queries topic of its own ({@code router.tenants.<name>}). Kafka ACLs let only that team write it;
 * the router takes every query read from it as the tenant's, lets it name only the tenant's reply topics, and lets
 * no other topic name them. Immutable.
 *
 * @param queries      the tenant's queries topic, read besides the shared one
 * @param replyToAllow glob patterns of the reply topics the tenant's queries may name (and no one else's may)
 */
public record TenantConfig(String name, String queries, List<String> replyToAllow) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9._-]{1,64}");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TenantConfig {
        replyToAllow = List.copyOf(replyToAllow);
    }

    /** The tenants under {@code router.tenants}, checked against each other and the shared queries topic. */
    static Map<String, TenantConfig> all(Fields router, String sharedQueries) {
        Map<String, TenantConfig> out = new LinkedHashMap<>();
        Map<String, String> owners = new LinkedHashMap<>();
        owners.put(sharedQueries, "the shared queries topic");
        router.entries("tenants").forEach((name, value) -> {
            Fields f = router.child("tenants." + name, value);
            if (!NAME.matcher(name).matches()) {
                router.error("tenants." + name, "a tenant name is 1 to 64 of [a-zA-Z0-9._-]");
            }
            String queries = f.requiredString("queries");
            if (queries != null && !TOPIC.matcher(queries).matches()) {
                f.error("queries", "is not a valid topic name: '" + queries + "'");
            } else if (queries != null && owners.containsKey(queries)) {
                f.error("queries", "'" + queries + "' is already " + owners.get(queries));
            } else if (queries != null) {
                owners.put(queries, "the queries topic of tenant '" + name + "'");
            }
            List<String> allow = new ArrayList<>();
            f.list("reply_to_allow").forEach(o -> allow.add(String.valueOf(o)));
            if (allow.isEmpty()) {
                f.error("reply_to_allow", "name at least one reply topic (glob) the tenant's queries may name");
            }
            f.rejectUnknown();
            out.put(name, new TenantConfig(name, queries, allow));
        });
        return out;
    }
}
