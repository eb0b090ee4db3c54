package dev.cascade.ledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.core.quality.Agreement;
import dev.cascade.events.RouteTier;
import dev.cascade.events.ShadowRecord;
import java.util.List;

/**
 * What the paired quality estimate needs of one shadow record (every tier's answer to a sampled query): its route,
 * the reference it is measured against (fixed when the record is read), the tier that served, the tiers that
 * answered, and whether the served answer agrees with the reference's. Kept per query id in the
 * {@code quality-samples} table. Immutable.
 *
 * @param agrees    the served and reference answers are equal after {@link Agreement#normalise}; null when either is
 *                  missing (the reference's shadow call failed or was skipped)
 * @param timestamp when the router wrote the record; the query's place in the minute and hour windows
 */
public record ShadowFacts(@JsonProperty("route") String route,
                          @JsonProperty("reference") String reference,
                          @JsonProperty("served") String served,
                          @JsonProperty("answered") List<String> answered,
                          @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("agrees") Boolean agrees,
                          @JsonProperty("timestamp") long timestamp) {

    public ShadowFacts {
        answered = answered == null ? List.of() : List.copyOf(answered);
    }

    /**
     * @param configuredReference the route's reference as configured, or null; used when it is one of the record's
     *                            tiers, else the record's last tier (the route's terminal tier) is the reference
     */
    public static ShadowFacts of(ShadowRecord r, String configuredReference) {
        String reference = configuredReference != null && r.tiers().contains(configuredReference)
                ? configuredReference : r.tiers().get(r.tiers().size() - 1);
        ShadowRecord.TierAnswer served = r.outcomes().get(r.servedTier());
        ShadowRecord.TierAnswer ref = r.outcomes().get(reference);
        Boolean agrees = served == null || ref == null ? null : Agreement.agree(served.answer(), ref.answer());
        return new ShadowFacts(r.route(), reference, r.servedTier(), List.copyOf(r.outcomes().keySet()), agrees,
                r.timestamp());
    }

    /** Why a shadow record cannot be counted, or null. */
    public static String problem(ShadowRecord r) {
        if (r.id() == null || r.route() == null || r.tiers().isEmpty()) {
            return "shadow record without id, route or tiers";
        }
        if (r.servedTier() == null || !r.outcomes().containsKey(r.servedTier())) {
            return "shadow record without the served tier's answer (served_tier " + r.servedTier() + ")";
        }
        for (String tier : r.tiers()) {
            if (tier == null || tier.indexOf(RouteTier.SEPARATOR) >= 0) {
                return "shadow record tier cannot contain '" + RouteTier.SEPARATOR + "': " + tier;
            }
        }
        return null;
    }

    /** The aggregate key: the route and the reference it is measured against. */
    public RouteTier key() {
        return new RouteTier(route, reference);
    }
}
