package dev.cascade.core;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A route's cascade: tiers in the order they are tried. Every tier but the last has a threshold; the last is
 * terminal and its answer is always accepted. {@code shadowRate} is the fraction of queries whose accepted answer
 * is also compared with every later tier's (shadow calls, not served). {@code targetQuality} (optional, in (0, 1]) is
 * the share of the reference tier's accuracy the route must keep; {@code reference} (optional, one of the route's
 * tiers) is the tier it is measured against, by default the last. {@code deadlineMs} is the time a query of the
 * route has for its answer, counted from its record's timestamp, when the query names none itself; null for no
 * deadline. Immutable.
 */
public record RoutePolicy(String route, List<TierStep> tiers, double shadowRate, Double targetQuality,
                          String reference, Long deadlineMs) {
    /** Longest deadline a route or a query may set: one day. */
    public static final long MAX_DEADLINE_MS = 86_400_000L;
    public RoutePolicy(String route, List<TierStep> tiers) {
        this(route, tiers, 0.0);
    }

    public RoutePolicy(String route, List<TierStep> tiers, double shadowRate) {
        this(route, tiers, shadowRate, null, null, null);
    }

    public RoutePolicy(String route, List<TierStep> tiers, double shadowRate, Double targetQuality,
                       String reference) {
        this(route, tiers, shadowRate, targetQuality, reference, null);
    }

    public RoutePolicy(String route, List<TierStep> tiers, double shadowRate, Long deadlineMs) {
        this(route, tiers, shadowRate, null, null, deadlineMs);
    }

    public RoutePolicy {
        if (targetQuality != null && !(targetQuality > 0 && targetQuality <= 1)) {
            throw new IllegalArgumentException("route '" + route + "': target_quality must be in (0, 1], got "
                    + targetQuality);
        }
        if (deadlineMs != null && (deadlineMs < 1 || deadlineMs > MAX_DEADLINE_MS)) {
            throw new IllegalArgumentException("route '" + route + "': deadline_ms must be in [1, " + MAX_DEADLINE_MS
                    + "], got " + deadlineMs);
        }
        if (!(shadowRate >= 0 && shadowRate <= 1)) {
            throw new IllegalArgumentException("route '" + route + "': shadow_rate must be in [0, 1], got "
                    + shadowRate);
        }
        if (route == null || route.isBlank()) {
            throw new IllegalArgumentException("a route needs a name");
        }
        if (tiers == null || tiers.isEmpty()) {
            throw new IllegalArgumentException("route '" + route + "' has no tiers");
        }
        tiers = List.copyOf(tiers);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tiers.size(); i++) {
            TierStep step = tiers.get(i);
            if (!seen.add(step.tier())) {
                throw new IllegalArgumentException("route '" + route + "' names tier '" + step.tier() + "' twice");
            }
            boolean last = i == tiers.size() - 1;
            if (!last && step.threshold() == null) {
                throw new IllegalArgumentException("route '" + route + "': tier '" + step.tier()
                        + "' is not last and has no threshold");
            }
            if (last && step.threshold() != null) {
                throw new IllegalArgumentException("route '" + route + "': the terminal tier '" + step.tier()
                        + "' takes no threshold (its answers are always accepted)");
            }
        }
        if (reference != null && !seen.contains(reference)) {
            throw new IllegalArgumentException("route '" + route + "': reference '" + reference
                    + "' is not one of its tiers " + tiers.stream().map(TierStep::tier).toList()
                    + " (the reference must answer the same shadow-sampled queries)");
        }
    }

    /** The tier quality is measured against: {@code reference}, else the last tier. */
    public String referenceTier() {
        return reference != null ? reference : tiers.get(tiers.size() - 1).tier();
    }

    public boolean isTerminal(int index) {
        return index == tiers.size() - 1;
    }

    public TierStep step(int index) {
        return tiers.get(index);
    }
}
