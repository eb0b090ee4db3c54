package dev.cascade.ledger.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.metrics.LedgerMetrics;
import dev.cascade.ledger.pricing.TierPrice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * Rolling upgrades: instances of the previous release and this one share tasks, stores, changelogs and repartition
 * topics, so every sub-topology keeps its number, stores and topics, and every node its name.
 */
class TopologyNamesTest {
    /** Every node name of the previous release's topology. */
    private static final Set<String> PREVIOUS_NODES = Set.of("attempts-source", "attempts-", "attempts-ok",
            "attempts-bad", "attempts-parse", "attempts-dlq-headers", "attempts-dlq", "attempt-to-event",
            "accepted-attempts", "accepted-route-tier", "answered-by-table", "feedback-source", "feedback-",
            "feedback-ok", "feedback-bad", "feedback-parse", "feedback-dlq-headers", "feedback-dlq",
            "feedback-by-query", "feedback-join-repartition-filter", "feedback-join-repartition-sink",
            "feedback-join-repartition-source", "feedback-join", "joined-feedback-", "joined-feedback-matched",
            "joined-feedback-unmatched", "feedback-event", "count-unmatched", "unmatched-feedback", "unmatched-sink",
            "all-events", "by-route-tier-repartition-filter", "by-route-tier-repartition-sink",
            "by-route-tier-repartition-source", "tier-totals-agg", "tier-minute-agg", "tier-hour-agg",
            "tier-day-agg", "answers-source", "answers-", "answers-ok", "answers-bad", "answers-parse",
            "answers-dlq-headers", "answers-dlq", "failed-answers", "failed-by-route-grouped",
            "failed-by-route-grouped-repartition-filter", "failed-by-route-grouped-repartition-sink",
            "failed-by-route-grouped-repartition-source", "failed-by-route-count", "pricing-source",
            "pricing-status", "pricing-status-sink");

    @Test
    void shouldKeepEverySubTopologyStoreTopicAndNodeNameOfThePreviousRelease() {
        LedgerConfig config = new LedgerConfig(Map.of(), LedgerConfig.Topics.defaults(), 0, "general",
                Duration.ofDays(2), Duration.ofDays(2), Duration.ofDays(2),
                Map.of("general", new TierPrice.Api(BigDecimal.ONE, BigDecimal.ONE)), null);
        TopologyDescription description = LedgerTopology.build(config, new LedgerMetrics(new SimpleMeterRegistry()))
                .describe();

        List<String> subTopologies = new ArrayList<>();
        Set<String> nodes = new TreeSet<>();
        description.subtopologies().stream().sorted((a, b) -> Integer.compare(a.id(), b.id())).forEach(s -> {
            Set<String> stores = new TreeSet<>();
            Set<String> topics = new TreeSet<>();
            for (TopologyDescription.Node n : s.nodes()) {
                nodes.add(n.name());
                if (n instanceof TopologyDescription.Processor p) {
                    stores.addAll(p.stores());
                } else if (n instanceof TopologyDescription.Source src) {
                    topics.addAll(src.topicSet());
                } else if (n instanceof TopologyDescription.Sink sink) {
                    topics.add(sink.topic());
                }
            }
            subTopologies.add(s.id() + " " + stores + " " + topics);
        });

        // 0-5 as in the previous release; 1 only gains an output (feedback for the quality estimate), no input, so
        // its tasks are the same; the quality estimate's sub-topologies come after all of them
        assertThat(subTopologies).containsExactly(
                "0 [answered-by] [by-route-tier-repartition, cascade.attempts, cascade.feedback.unmatched, "
                        + "cascade.ledger.dlq, feedback-join-repartition]",
                "1 [] [cascade.feedback, cascade.ledger.dlq, feedback-join-repartition, "
                        + "quality-feedback-by-query-repartition]",
                "2 [tier-day, tier-hour, tier-minute, tier-totals] [by-route-tier-repartition]",
                "3 [] [cascade.answers, cascade.ledger.dlq, failed-by-route-grouped-repartition]",
                "4 [failed-by-route] [failed-by-route-grouped-repartition]",
                "5 [pricing-accepted] [cascade.pricing, cascade.pricing.status]",
                "6 [quality-samples, quality-verdicts] [cascade.ledger.dlq, cascade.shadow, "
                        + "quality-by-hour-repartition, quality-by-minute-repartition, quality-by-route-repartition, "
                        + "quality-feedback-by-query-repartition]",
                "7 [quality-totals] [quality-by-route-repartition]",
                "8 [quality-minute] [quality-by-minute-repartition]",
                "9 [quality-hour] [quality-by-hour-repartition]");
        assertThat(nodes).containsAll(PREVIOUS_NODES);
        assertThat(description.globalStores()).isEmpty();
    }
}
