package dev.cascade.core;

import java.util.Map;

/**
 * Finds the policy that governs a query: its named route, else the {@value #DEFAULT} route; null when neither
 * exists. Implementations are thread-safe.
 */
public interface RouteTable {
    String DEFAULT = "default";

    RoutePolicy resolve(String route);

    /** A table over a fixed map of policies. */
    static RouteTable of(Map<String, RoutePolicy> policies) {
        Map<String, RoutePolicy> copy = Map.copyOf(policies);
        return route -> {
            RoutePolicy named = route == null ? null : copy.get(route);
            return named != null ? named : copy.get(DEFAULT);
        };
    }
}
