package dev.cascade.core.quality;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether two answers agree: equal after normalisation (trimmed, lower-case, runs of white space as one space,
 * trailing {@code .!?} removed), the rule {@code cascadectl export-outcomes} uses. Agreement is no judgement: two
 * answers that agree are both right or both wrong for a question with one right answer, so the served answer's
 * accuracy is at least the reference's minus the share of disagreements. Pure.
 */
public final class Agreement {
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern TRAILING = Pattern.compile("[.!?]+$");

    private Agreement() {
    }

    public static String normalise(String answer) {
        String s = SPACES.matcher(answer == null ? "" : answer.trim().toLowerCase(Locale.ROOT)).replaceAll(" ");
        return TRAILING.matcher(s).replaceAll("");
    }

    public static boolean agree(String a, String b) {
        return normalise(a).equals(normalise(b));
    }
}
