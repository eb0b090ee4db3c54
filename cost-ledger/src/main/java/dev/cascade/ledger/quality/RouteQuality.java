package dev.cascade.ledger.quality;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.core.quality.PairedRatio;
import dev.cascade.ledger.model.QualityCounts;
import java.util.Locale;

/**
 * A route's quality against its reference over a window, as {@code /api/quality} returns it: shadow samples, judged
 * pairs (served and reference answers of the same query both judged), the agreement rate of the two answers, the
 * ratio of the served accuracy to the reference's on the judged pairs with its 95 % interval
 * ({@link PairedRatio}), and a status against the route's target with one plain sentence. Immutable.
 */
public record RouteQuality(@JsonProperty("route") String route,
                           @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("reference") String reference,
                           @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("target") Double target,
                           @JsonProperty("samples") long samples,
                           @JsonProperty("judged") long judged,
                           @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("agreement") Double agreement,
                           @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("ratio") Double ratio,
                           @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("ratio_low") Double ratioLow,
                           @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("ratio_high") Double ratioHigh,
                           @JsonProperty("status") Status status,
                           @JsonProperty("sentence") String sentence) {

    /** Judged pairs needed before a status other than {@code INSUFFICIENT_DATA} is given. */
    public static final long MIN_JUDGED = 30;

    /** Where the route stands against its target. */
    public enum Status {
        /** The whole interval is at or above the target. */
        OK,
        /** The interval contains the target: the route may be missing it. */
        AT_RISK,
        /** The whole interval is below the target. */
        BREACHED,
        /** Fewer than {@value #MIN_JUDGED} judged pairs, no right reference answer, or no target to judge against. */
        INSUFFICIENT_DATA
    }

    /**
     * @param counts    the route's evidence against {@code reference} over the window (empty when there is none)
     * @param reference the tier measured against (null when unknown: no policy and no samples)
     * @param target    the route's target_quality, or null
     */
    public static RouteQuality assess(String route, String reference, Double target, QualityCounts counts) {
        long judged = counts.pairs().pairs();
        String ref = reference == null ? "the reference" : reference;
        PairedRatio.Interval interval = PairedRatio.estimate(counts.pairs());
        if (judged < MIN_JUDGED || interval == null) {
            String why = judged < MIN_JUDGED
                    ? String.format(Locale.ROOT, "Route '%s' has %d shadow samples and %d judged pairs (its served "
                            + "answer and %s's both judged); %d are needed for an estimate.", route, counts.samples(),
                    judged, ref, MIN_JUDGED)
                    : String.format(Locale.ROOT, "Route '%s': %s was judged right on none of %d judged pairs, so "
                    + "there is no ratio to its accuracy.", route, ref, judged);
            return new RouteQuality(route, reference, target, counts.samples(), judged, counts.agreement(),
                    interval == null ? null : interval.ratio(), interval == null ? null : interval.low(),
                    interval == null ? null : interval.high(), Status.INSUFFICIENT_DATA, why);
        }
        String kept = String.format(Locale.ROOT, "Route '%s' keeps %s of %s's accuracy (95 %% interval %s to %s, "
                + "%d judged pairs)", route, percent(interval.ratio()), ref, percent(interval.low()),
                percent(interval.high()), judged);
        Status status;
        String sentence;
        if (target == null) {
            status = Status.INSUFFICIENT_DATA;
            sentence = kept + "; it has no target_quality to hold it to.";
        } else if (interval.low() >= target) {
            status = Status.OK;
            sentence = kept + ": above its target of " + percent(target) + ".";
        } else if (interval.high() < target) {
            status = Status.BREACHED;
            sentence = kept + ": below its target of " + percent(target) + ".";
        } else {
            status = Status.AT_RISK;
            sentence = kept + ": its target of " + percent(target) + " is inside the interval, so it may be missed.";
        }
        return new RouteQuality(route, reference, target, counts.samples(), judged, counts.agreement(),
                interval.ratio(), interval.low(), interval.high(), status, sentence);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }
}
