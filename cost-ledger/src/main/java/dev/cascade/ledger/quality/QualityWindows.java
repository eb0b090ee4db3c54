package dev.cascade.ledger.quality;

import dev.cascade.events.RouteTier;
import dev.cascade.ledger.model.QualityCounts;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses and sums the paired quality counts of a window, by {@code route|reference}. Windows trail the present:
 * {@code minute} is the minute buckets that end within the last minute (the current and the previous one),
 * {@code hour} the minute buckets that end within the last hour, {@code day} the hour buckets that end within the
 * last 24 hours, {@code all} the all-time totals. A query counts in the bucket of its shadow record's time. Pure.
 */
public final class QualityWindows {
    public static final List<String> WINDOWS = List.of("minute", "hour", "day", "all");
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration HOUR = Duration.ofHours(1);

    private QualityWindows() {
    }

    /** The bucket size a window is summed from ("minute" or "hour"), or null for "all". */
    public static String bucketSize(String window) {
        return switch (check(window)) {
            case "minute", "hour" -> "minute";
            case "day" -> "hour";
            default -> null;
        };
    }

    /**
     * @param buckets the stored buckets of {@link #bucketSize}'s size (any order, any age)
     * @param nowMs   the present, epoch ms
     */
    public static Map<String, QualityCounts> sum(String window, Collection<QualityCounts> buckets, long nowMs) {
        Duration span = switch (check(window)) {
            case "minute" -> MINUTE;
            case "hour" -> HOUR;
            case "day" -> Duration.ofDays(1);
            default -> throw new IllegalArgumentException("window 'all' is the totals, not a sum of buckets");
        };
        long size = ("day".equals(window) ? HOUR : MINUTE).toMillis();
        long from = nowMs - span.toMillis();
        Map<String, QualityCounts> out = new TreeMap<>();
        for (QualityCounts b : buckets) {
            if (b.route() != null && b.bucket() + size > from && b.bucket() <= nowMs) {
                out.merge(new RouteTier(b.route(), b.reference()).key(), b.inBucket(0), QualityCounts::plus);
            }
        }
        return out;
    }

    private static String check(String window) {
        if (!WINDOWS.contains(window)) {
            throw new IllegalArgumentException("window must be one of minute, hour, day, all; got '" + window + "'");
        }
        return window;
    }
}
