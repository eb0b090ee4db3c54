package dev.cascade.ledger.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.core.quality.PairedCounts;
import dev.cascade.events.Json;
import dev.cascade.ledger.model.QualityCounts;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RouteQualityTest {
    private static QualityCounts counts(String route, String reference, PairedCounts pairs, long lastTs) {
        return new QualityCounts(route, reference, 0, pairs.pairs() + 10, pairs.pairs(), pairs.bothRight(), pairs,
                Map.of(), 0, lastTs);
    }

    @Test
    void shouldBeOkWhenTheWholeIntervalIsAtOrAboveTheTarget() {
        RouteQuality q = RouteQuality.assess("default", "general", 0.9,
                counts("default", "general", new PairedCounts(800, 20, 30, 150), 1));
        assertThat(q.status()).isEqualTo(RouteQuality.Status.OK);
        assertThat(q.ratio()).isEqualTo(820 / 830.0);
        assertThat(q.ratioLow()).isGreaterThanOrEqualTo(0.9);
        assertThat(q.judged()).isEqualTo(1000);
        assertThat(q.samples()).isEqualTo(1010);
        assertThat(q.sentence()).isEqualTo("Route 'default' keeps 98.8 % of general's accuracy (95 % interval "
                + String.format(java.util.Locale.ROOT, "%.1f %% to %.1f %%", 100 * q.ratioLow(), 100 * q.ratioHigh())
                + ", 1000 judged pairs): above its target of 90.0 %.");
    }

    @Test
    void shouldBeAtRiskWhenTheIntervalContainsTheTargetAndBreachedWhenItIsBelow() {
        PairedCounts few = new PairedCounts(40, 2, 6, 12);
        RouteQuality atRisk = RouteQuality.assess("r", "general", 0.95, counts("r", "general", few, 1));
        assertThat(atRisk.ratioLow()).isLessThan(0.95);
        assertThat(atRisk.ratioHigh()).isGreaterThanOrEqualTo(0.95);
        assertThat(atRisk.status()).isEqualTo(RouteQuality.Status.AT_RISK);
        assertThat(atRisk.sentence()).contains("its target of 95.0 % is inside the interval");

        PairedCounts many = new PairedCounts(800, 40, 120, 240);
        RouteQuality breached = RouteQuality.assess("r", "general", 0.95, counts("r", "general", many, 1));
        assertThat(breached.ratioHigh()).isLessThan(0.95);
        assertThat(breached.status()).isEqualTo(RouteQuality.Status.BREACHED);
        assertThat(breached.sentence()).contains("keeps 91.3 %").contains("below its target of 95.0 %");
    }

    @Test
    void shouldNeedThirtyJudgedPairsARightReferenceAndATarget() {
        RouteQuality few = RouteQuality.assess("r", "general", 0.9, counts("r", "general",
                new PairedCounts(20, 1, 1, 7), 1));
        assertThat(few.status()).isEqualTo(RouteQuality.Status.INSUFFICIENT_DATA);
        assertThat(few.sentence()).contains("29 judged pairs").contains("30 are needed");
        assertThat(few.ratio()).isNotNull();

        RouteQuality neverRight = RouteQuality.assess("r", "general", 0.9, counts("r", "general",
                new PairedCounts(0, 5, 0, 40), 1));
        assertThat(neverRight.status()).isEqualTo(RouteQuality.Status.INSUFFICIENT_DATA);
        assertThat(neverRight.ratio()).isNull();
        assertThat(neverRight.sentence()).contains("general was judged right on none of 45");

        RouteQuality noTarget = RouteQuality.assess("r", "general", null, counts("r", "general",
                new PairedCounts(800, 20, 30, 150), 1));
        assertThat(noTarget.status()).isEqualTo(RouteQuality.Status.INSUFFICIENT_DATA);
        assertThat(noTarget.ratio()).isNotNull();
        assertThat(noTarget.sentence()).contains("no target_quality");
    }

    @Test
    void shouldWriteExactlyTheFieldsOfTheContractNullsIncluded() {
        JsonNode json = Json.mapper().valueToTree(RouteQuality.assess("r", null, null, QualityCounts.empty()));
        Set<String> names = new TreeSet<>();
        json.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrder("route", "reference", "target", "samples", "judged",
                "agreement", "ratio", "ratio_low", "ratio_high", "status", "sentence");
        assertThat(json.path("status").asText()).isEqualTo("INSUFFICIENT_DATA");
        assertThat(json.path("ratio").isNull()).isTrue();
    }

    @Test
    void shouldListRoutesWithEvidenceOrATargetAgainstTheConfiguredOrLatestReference() {
        Map<String, QualityCounts> totals = Map.of(
                "a|general", counts("a", "general", new PairedCounts(50, 0, 0, 10), 100),
                "a|large", counts("a", "large", new PairedCounts(50, 0, 5, 5), 200),
                "b|general", counts("b", "general", new PairedCounts(40, 0, 0, 0), 100));
        List<RouteQuality> routes = QualityReport.routes(totals, totals, Map.of(
                "b", new QualityTarget(0.9, "general"), "c", new QualityTarget(0.97, null)));
        assertThat(routes).extracting(RouteQuality::route).containsExactly("a", "b", "c");
        assertThat(routes.get(0).reference()).as("the latest samples' reference").isEqualTo("large");
        assertThat(routes.get(0).judged()).isEqualTo(60);
        assertThat(routes.get(1).status()).isEqualTo(RouteQuality.Status.OK);
        assertThat(routes.get(2).samples()).isZero();
        assertThat(routes.get(2).target()).isEqualTo(0.97);
        assertThat(routes.get(2).status()).isEqualTo(RouteQuality.Status.INSUFFICIENT_DATA);
        assertThatThrownBy(() -> QualityWindows.bucketSize("week")).hasMessageContaining("week");
    }
}
