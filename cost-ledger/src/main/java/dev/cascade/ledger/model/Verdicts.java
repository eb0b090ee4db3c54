package dev.cascade.ledger.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.events.FeedbackEvent;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latest verdict on each answer of one query: on the served answer (feedback without a tier) and on tiers'
 * answers of its shadow record (feedback naming the tier). A verdict naming the serving tier wins over one without
 * a tier, as the more specific. Kept per query id in the {@code quality-verdicts} table. Immutable.
 */
public record Verdicts(@JsonProperty("served") Boolean served, @JsonProperty("tiers") Map<String, Boolean> tiers) {
    public Verdicts {
        tiers = tiers == null ? Map.of() : Map.copyOf(tiers);
    }

    public static Verdicts empty() {
        return new Verdicts(null, Map.of());
    }

    /** These verdicts with one more judgement; the latest on the same answer replaces the earlier. */
    public Verdicts with(FeedbackEvent f) {
        if (f.judgesServedAnswer()) {
            return new Verdicts(f.verdict(), tiers);
        }
        Map<String, Boolean> t = new TreeMap<>(tiers);
        t.put(f.tier(), f.verdict());
        return new Verdicts(served, t);
    }

    /** The verdict on {@code tier}'s answer of a query that {@code servedTier} served; null when not judged. */
    public Boolean on(String tier, String servedTier) {
        Boolean v = tiers.get(tier);
        return v != null || !tier.equals(servedTier) ? v : served;
    }
}
