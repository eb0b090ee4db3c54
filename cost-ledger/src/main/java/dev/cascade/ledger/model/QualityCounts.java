package dev.cascade.ledger.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.core.quality.PairedCounts;
import java.util.Map;
import java.util.TreeMap;

/**
 * Paired quality evidence of a route against its reference: one query's (a contribution) or the sum over many (an
 * aggregate, all time or one minute or hour bucket). Immutable: {@link #plus} and {@link #minus} return new values.
 *
 * @param bucket   start of the minute or hour the aggregate covers (epoch ms); 0 for contributions and all time
 * @param samples  shadow records counted
 * @param compared shadow records with both the served and the reference answer
 * @param agreed   of those, records whose two answers agree after normalisation
 * @param pairs    the served answer against the reference's, where both were judged
 * @param tiers    each tier's answer against the reference's, where both were judged (the same queries for every
 *                 tier: a fair comparison, unlike accuracy on the queries a tier served)
 * @param firstTs  earliest shadow record counted (epoch ms; {@code Long.MAX_VALUE} when none)
 * @param lastTs   latest shadow record counted (epoch ms; {@code Long.MIN_VALUE} when none)
 */
public record QualityCounts(@JsonProperty("route") String route,
                            @JsonProperty("reference") String reference,
                            @JsonProperty("bucket") long bucket,
                            @JsonProperty("samples") long samples,
                            @JsonProperty("compared") long compared,
                            @JsonProperty("agreed") long agreed,
                            @JsonProperty("pairs") PairedCounts pairs,
                            @JsonProperty("tiers") Map<String, PairedCounts> tiers,
                            @JsonProperty("first_ts") long firstTs,
                            @JsonProperty("last_ts") long lastTs) {

    public QualityCounts {
        pairs = pairs == null ? PairedCounts.NONE : pairs;
        tiers = tiers == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(tiers));
    }

    public static QualityCounts empty() {
        return new QualityCounts(null, null, 0, 0, 0, 0, PairedCounts.NONE, Map.of(), Long.MAX_VALUE,
                Long.MIN_VALUE);
    }

    /** One sampled query's contribution, from its shadow record and the verdicts on it so far. */
    public static QualityCounts of(ShadowFacts f, Verdicts v) {
        Verdicts verdicts = v == null ? Verdicts.empty() : v;
        Boolean reference = verdicts.on(f.reference(), f.served());
        Boolean served = verdicts.on(f.served(), f.served());
        PairedCounts pairs = served != null && reference != null ? PairedCounts.of(served, reference)
                : PairedCounts.NONE;
        Map<String, PairedCounts> tiers = new TreeMap<>();
        if (reference != null) {
            for (String tier : f.answered()) {
                Boolean t = verdicts.on(tier, f.served());
                if (t != null) {
                    tiers.put(tier, PairedCounts.of(t, reference));
                }
            }
        }
        return new QualityCounts(f.route(), f.reference(), 0, 1, f.agrees() == null ? 0 : 1,
                Boolean.TRUE.equals(f.agrees()) ? 1 : 0, pairs, tiers, f.timestamp(), f.timestamp());
    }

    public QualityCounts plus(QualityCounts o) {
        return combine(o, 1);
    }

    /** Takes a contribution back out (its first and last times stay: they only widen). */
    public QualityCounts minus(QualityCounts o) {
        return combine(o, -1);
    }

    /** The same counts, labelled as the bucket starting at {@code start}. */
    public QualityCounts inBucket(long start) {
        return new QualityCounts(route, reference, start, samples, compared, agreed, pairs, tiers, firstTs, lastTs);
    }

    /** Share of compared records whose answers agree; null when none were compared. */
    public Double agreement() {
        return compared == 0 ? null : agreed / (double) compared;
    }

    private QualityCounts combine(QualityCounts o, int sign) {
        Map<String, PairedCounts> t = new TreeMap<>(tiers);
        o.tiers.forEach((tier, c) -> t.put(tier, add(t.getOrDefault(tier, PairedCounts.NONE), c, sign)));
        t.values().removeIf(c -> c.pairs() == 0);
        boolean widen = sign > 0;
        return new QualityCounts(route != null ? route : o.route, reference != null ? reference : o.reference, bucket,
                add(samples, o.samples, sign), add(compared, o.compared, sign), add(agreed, o.agreed, sign),
                add(pairs, o.pairs, sign), t, widen ? Math.min(firstTs, o.firstTs) : firstTs,
                widen ? Math.max(lastTs, o.lastTs) : lastTs);
    }

    /** a + sign * b, never below zero (a contribution is only ever taken out of an aggregate it was added to). */
    private static long add(long a, long b, int sign) {
        return Math.max(0, a + sign * b);
    }

    private static PairedCounts add(PairedCounts a, PairedCounts b, int sign) {
        return new PairedCounts(add(a.bothRight(), b.bothRight(), sign), add(a.firstOnly(), b.firstOnly(), sign),
                add(a.secondOnly(), b.secondOnly(), sign), add(a.bothWrong(), b.bothWrong(), sign));
    }
}
