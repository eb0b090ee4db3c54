package dev.cascade.ledger.query;

import dev.cascade.core.quality.PairedCounts;
import dev.cascade.ledger.model.QualityCounts;
import dev.cascade.ledger.quality.QualityEvidence;
import dev.cascade.ledger.quality.QualityReport;
import dev.cascade.ledger.quality.QualityTarget;
import dev.cascade.ledger.quality.QualityWindows;
import dev.cascade.ledger.quality.RouteQuality;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The paired quality estimate over the stores of every instance, with the routes' targets. Thread-safe. */
public final class QualityQueries {
    private final LedgerQueries queries;
    private final Supplier<Map<String, QualityTarget>> targets;
    private final Clock clock;

    /** @param targets the routes' targets in effect (live policies over the config file's) */
    public QualityQueries(LedgerQueries queries, Supplier<Map<String, QualityTarget>> targets, Clock clock) {
        this.queries = queries;
        this.targets = targets;
        this.clock = clock;
    }

    /** Every route's quality over a window ("minute", "hour", "day" or "all"). */
    public List<RouteQuality> routes(String window) {
        String size = QualityWindows.bucketSize(window);
        Map<String, QualityCounts> totals = queries.qualityTotals();
        Map<String, QualityCounts> counts = size == null ? totals
                : QualityWindows.sum(window, queries.qualityBuckets(size), clock.millis());
        return QualityReport.routes(counts, totals, targets.get());
    }

    /** Each tier against the reference on the same judged shadow samples, all time. */
    public Map<String, PairedCounts> tiers() {
        return QualityReport.tiers(queries.qualityTotals(), targets.get());
    }

    /** All-time evidence for the verdict: every route, and each tier against the reference. */
    public QualityEvidence evidence() {
        Map<String, QualityCounts> totals = queries.qualityTotals();
        Map<String, QualityTarget> t = targets.get();
        return new QualityEvidence(QualityReport.routes(totals, totals, t), QualityReport.tiers(totals, t));
    }

    public Map<String, QualityTarget> targets() {
        return targets.get();
    }
}
