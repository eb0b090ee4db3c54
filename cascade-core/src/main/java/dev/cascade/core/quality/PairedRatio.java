package dev.cascade.core.quality;

/**
 * The ratio of two accuracies measured on the same queries (paired), with a 95 % interval. Pure and thread-safe.
 *
 * <p>Method: with a = both right, b = first only, c = second only, the estimate is (a + b) / (a + c), the exact
 * ratio of the two accuracies on the judged pairs. The interval is the delta method on the log of the ratio of
 * paired proportions: Var(log R) = (b + c) / ((a + b)(a + c)), which takes the correlation of the pair into account
 * (two independent proportions would overstate the variance when the answers mostly agree). Each of the four cells
 * is increased by 1/2 before the interval is computed, so it stays defined and non-degenerate when there are no
 * discordant pairs or few right answers; the estimate itself is unadjusted. Its coverage is checked by simulation
 * over many seeds ({@code PairedRatioTest}).
 */
public final class PairedRatio {
    /** The 97.5 % quantile of the standard normal distribution. */
    public static final double Z95 = 1.959963984540054;
    private static final double ADD = 0.5;

    /** An estimate and its 95 % interval. */
    public record Interval(double ratio, double low, double high) {
    }

    private PairedRatio() {
    }

    /** The ratio first/second with its interval; null when the second answer was never judged right. */
    public static Interval estimate(PairedCounts c) {
        if (c.secondRight() == 0) {
            return null;
        }
        double ratio = c.firstRight() / (double) c.secondRight();
        double a = c.bothRight() + ADD;
        double b = c.firstOnly() + ADD;
        double s = c.secondOnly() + ADD;
        double centre = Math.log((a + b) / (a + s));
        double se = Math.sqrt((b + s) / ((a + b) * (a + s)));
        return new Interval(ratio, Math.exp(centre - Z95 * se), Math.exp(centre + Z95 * se));
    }
}
