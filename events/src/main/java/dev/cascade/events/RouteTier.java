package dev.cascade.events;

import java.util.Objects;

/**
 * The ledger's aggregate key: a route and one of its tiers, written {@code route|tier} on the ledger's internal
 * topics and stores. Tier names never contain {@code |} (they are configured identifiers), so the key splits at the
 * last separator and a route name may contain one. Immutable.
 */
public record RouteTier(String route, String tier) {
    /** Separator between route and tier in {@link #key()}. */
    public static final char SEPARATOR = '|';

    public RouteTier {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(tier, "tier");
        if (tier.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("a tier name cannot contain '" + SEPARATOR + "': " + tier);
        }
    }

    /** {@code route|tier}. */
    public String key() {
        return route + SEPARATOR + tier;
    }

    /** The inverse of {@link #key()}; rejects a string without a separator. */
    public static RouteTier parse(String key) {
        int at = key.lastIndexOf(SEPARATOR);
        if (at < 0) {
            throw new IllegalArgumentException("not a route" + SEPARATOR + "tier key: " + key);
        }
        return new RouteTier(key.substring(0, at), key.substring(at + 1));
    }

    @Override
    public String toString() {
        return key();
    }
}
