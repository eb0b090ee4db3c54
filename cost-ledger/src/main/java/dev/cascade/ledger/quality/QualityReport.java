package dev.cascade.ledger.quality;

import dev.cascade.core.quality.PairedCounts;
import dev.cascade.events.RouteTier;
import dev.cascade.ledger.model.QualityCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The quality of every route over a window: the routes with evidence or a target, each against its reference (the
 * configured one; else the one its latest shadow samples were counted against). Also each tier's accuracy on the
 * shadow-sampled queries next to the reference's on the same queries, for the verdict and the page. Pure.
 */
public final class QualityReport {
    private QualityReport() {
    }

    /**
     * @param window  counts of the window by {@code route|reference}
     * @param totals  all-time counts by {@code route|reference} (which routes and references exist)
     * @param targets targets by route, references resolved where the route's policy is known
     */
    public static List<RouteQuality> routes(Map<String, QualityCounts> window, Map<String, QualityCounts> totals,
                                            Map<String, QualityTarget> targets) {
        Set<String> routes = new TreeSet<>(targets.keySet());
        totals.keySet().forEach(k -> routes.add(RouteTier.parse(k).route()));
        window.keySet().forEach(k -> routes.add(RouteTier.parse(k).route()));
        List<RouteQuality> out = new ArrayList<>();
        for (String route : routes) {
            QualityTarget target = targets.get(route);
            String reference = reference(route, target, totals);
            QualityCounts counts = reference == null ? null : window.get(new RouteTier(route, reference).key());
            out.add(RouteQuality.assess(route, reference, target == null ? null : target.targetQuality(),
                    counts == null ? QualityCounts.empty() : counts));
        }
        return out;
    }

    /**
     * Each tier's answers against the reference's on the same judged shadow samples, summed over the routes (each
     * against its current reference): the fair comparison of tiers, unlike accuracy on the queries each served.
     */
    public static Map<String, PairedCounts> tiers(Map<String, QualityCounts> totals,
                                                  Map<String, QualityTarget> targets) {
        Map<String, PairedCounts> out = new TreeMap<>();
        Set<String> routes = new TreeSet<>();
        totals.keySet().forEach(k -> routes.add(RouteTier.parse(k).route()));
        for (String route : routes) {
            String reference = reference(route, targets.get(route), totals);
            QualityCounts c = totals.get(new RouteTier(route, reference).key());
            if (c != null) {
                c.tiers().forEach((tier, p) -> out.merge(tier, p, PairedCounts::plus));
            }
        }
        return out;
    }

    /** The configured reference, else the one of the route's latest samples, else null. */
    static String reference(String route, QualityTarget target, Map<String, QualityCounts> totals) {
        if (target != null && target.reference() != null) {
            return target.reference();
        }
        String latest = null;
        long latestTs = Long.MIN_VALUE;
        for (Map.Entry<String, QualityCounts> e : totals.entrySet()) {
            RouteTier key = RouteTier.parse(e.getKey());
            if (key.route().equals(route) && e.getValue().lastTs() >= latestTs) {
                latestTs = e.getValue().lastTs();
                latest = key.tier();
            }
        }
        return latest;
    }
}
