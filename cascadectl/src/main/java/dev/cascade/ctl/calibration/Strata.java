package dev.cascade.ctl.calibration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The queries of a file grouped by one label field (the {@code task} by default: a benchmark, a product area, a
 * route), each group a stratum whose accuracy the calibrator constrains on its own. Labels with fewer than
 * {@code minSize} queries are merged into one stratum, {@value #OTHER}: a handful of queries cannot carry a
 * constraint of their own, and a stray label must not force the whole policy to the terminal. Queries without the
 * field count as label {@value #MISSING}. Immutable.
 */
public final class Strata {
    /** The field value that turns stratification off. */
    public static final String NONE = "none";
    public static final String OTHER = "(other)";
    public static final String MISSING = "(none)";

    private final String field;
    private final List<String> names;
    private final int[] stratumOf;

    private Strata(String field, List<String> names, int[] stratumOf) {
        this.field = field;
        this.names = List.copyOf(names);
        this.stratumOf = stratumOf;
    }

    /** One stratum holding every query: the pooled constraint only. */
    public static Strata none(int queries) {
        return new Strata(NONE, List.of("all"), new int[queries]);
    }

    /** Groups by {@code field}; {@link #NONE} or null gives {@link #none}. Strata are named in sorted order. */
    public static Strata of(List<QueryOutcomes> queries, String field, int minSize) {
        if (field == null || field.equals(NONE)) {
            return none(queries.size());
        }
        Map<String, List<Integer>> byLabel = new TreeMap<>();
        for (int i = 0; i < queries.size(); i++) {
            String label = queries.get(i).label(field);
            byLabel.computeIfAbsent(label == null ? MISSING : label, l -> new ArrayList<>()).add(i);
        }
        Map<String, List<Integer>> kept = new LinkedHashMap<>();
        List<Integer> other = new ArrayList<>();
        byLabel.forEach((label, rows) -> {
            if (rows.size() >= minSize) {
                kept.put(label, rows);
            } else {
                other.addAll(rows);
            }
        });
        if (!other.isEmpty()) {
            kept.put(OTHER, other);
        }
        int[] stratumOf = new int[queries.size()];
        List<String> names = new ArrayList<>(kept.keySet());
        for (int s = 0; s < names.size(); s++) {
            for (int row : kept.get(names.get(s))) {
                stratumOf[row] = s;
            }
        }
        return new Strata(field, names, stratumOf);
    }

    public String field() {
        return field;
    }

    public int count() {
        return names.size();
    }

    public String name(int stratum) {
        return names.get(stratum);
    }

    public List<String> names() {
        return names;
    }

    /** The stratum of the query at this index of the file. */
    public int of(int row) {
        return stratumOf[row];
    }

    /** How many of the given rows fall in each stratum. */
    public int[] sizes(int[] rows) {
        int[] sizes = new int[count()];
        for (int r : rows) {
            sizes[stratumOf[r]]++;
        }
        return sizes;
    }

    /** The rows of one stratum, or of every other stratum. */
    int[] rows(int stratum, boolean in) {
        return java.util.stream.IntStream.range(0, stratumOf.length).filter(r -> (stratumOf[r] == stratum) == in)
                .toArray();
    }
}
