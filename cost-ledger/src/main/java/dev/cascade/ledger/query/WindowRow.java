package dev.cascade.ledger.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.ledger.model.TierStats;

/** One window of one route and tier. */
public record WindowRow(@JsonProperty("route") String route, @JsonProperty("tier") String tier,
                        @JsonProperty("start") long start, @JsonProperty("end") long end,
                        @JsonProperty("stats") TierStats stats) {
}
