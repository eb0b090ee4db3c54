package dev.cascade.ledger.quality;

import dev.cascade.core.quality.PairedCounts;
import java.util.List;
import java.util.Map;

/**
 * The paired quality evidence the verdict uses: every route against its reference (all time), and each tier's
 * answers against the reference's on the same judged shadow samples. Immutable.
 */
public record QualityEvidence(List<RouteQuality> routes, Map<String, PairedCounts> tiers) {
    public static final QualityEvidence NONE = new QualityEvidence(List.of(), Map.of());

    public QualityEvidence {
        routes = List.copyOf(routes);
        tiers = Map.copyOf(tiers);
    }

    /** A tier's answers against the reference's; no pairs when it has none. */
    public PairedCounts tier(String tier) {
        return tiers.getOrDefault(tier, PairedCounts.NONE);
    }
}
