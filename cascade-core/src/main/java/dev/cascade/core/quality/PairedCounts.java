package dev.cascade.core.quality;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Judgements of two answers to the same queries, as a 2 x 2 table: the first answer (the one served, or a tier's)
 * against the second (the reference's). Counts may be sums over many queries; they are never negative. Immutable.
 *
 * @param bothRight  queries where both answers were judged right
 * @param firstOnly  the first right, the second wrong
 * @param secondOnly the first wrong, the second right
 * @param bothWrong  both wrong
 */
public record PairedCounts(@JsonProperty("both_right") long bothRight,
                           @JsonProperty("first_only") long firstOnly,
                           @JsonProperty("second_only") long secondOnly,
                           @JsonProperty("both_wrong") long bothWrong) {
    public static final PairedCounts NONE = new PairedCounts(0, 0, 0, 0);

    public PairedCounts {
        if (bothRight < 0 || firstOnly < 0 || secondOnly < 0 || bothWrong < 0) {
            throw new IllegalArgumentException("paired counts cannot be negative: " + bothRight + ", " + firstOnly
                    + ", " + secondOnly + ", " + bothWrong);
        }
    }

    /** One query with both answers judged. */
    public static PairedCounts of(boolean firstRight, boolean secondRight) {
        return new PairedCounts(firstRight && secondRight ? 1 : 0, firstRight && !secondRight ? 1 : 0,
                !firstRight && secondRight ? 1 : 0, !firstRight && !secondRight ? 1 : 0);
    }

    public long pairs() {
        return bothRight + firstOnly + secondOnly + bothWrong;
    }

    public long firstRight() {
        return bothRight + firstOnly;
    }

    public long secondRight() {
        return bothRight + secondOnly;
    }

    /** Accuracy of the first answer on these pairs, null without pairs. */
    public Double firstAccuracy() {
        return pairs() == 0 ? null : firstRight() / (double) pairs();
    }

    /** Accuracy of the second answer on the same pairs, null without pairs. */
    public Double secondAccuracy() {
        return pairs() == 0 ? null : secondRight() / (double) pairs();
    }

    public PairedCounts plus(PairedCounts o) {
        return new PairedCounts(bothRight + o.bothRight, firstOnly + o.firstOnly, secondOnly + o.secondOnly,
                bothWrong + o.bothWrong);
    }

    public PairedCounts minus(PairedCounts o) {
        return new PairedCounts(bothRight - o.bothRight, firstOnly - o.firstOnly, secondOnly - o.secondOnly,
                bothWrong - o.bothWrong);
    }
}
