package dev.cascade.ledger.quality;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A route's quality target: from its policy on the config topic, or from the ledger's file for a route the topic
 * does not carry. Immutable.
 *
 * @param targetQuality the share of the reference's accuracy the route must keep, in (0, 1]; null for none
 * @param reference     the tier measured against; null for the route's last tier
 */
public record QualityTarget(@JsonProperty("target_quality") Double targetQuality,
                            @JsonProperty("reference") String reference) {
}
