package dev.cascade.core;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Confidence from token logprobs. Pure functions. */
public final class Confidence {
    private Confidence() {
    }

    /**
     * exp of the mean (or, with {@code useMin}, the lowest) token logprob; null when there are no tokens.
     */
    public static Double fromLogprobs(List<Double> logprobs, boolean useMin) {
        if (logprobs == null || logprobs.isEmpty()) {
            return null;
        }
        double acc = useMin ? Double.POSITIVE_INFINITY : 0.0;
        for (double lp : logprobs) {
            if (Double.isNaN(lp) || lp > 0) {
                throw new IllegalArgumentException("a logprob must be a number <= 0, got " + lp);
            }
            acc = useMin ? Math.min(acc, lp) : acc + lp;
        }
        double value = useMin ? acc : acc / logprobs.size();
        return clamp(Math.exp(value));
    }

    /**
     * P(yes) from the top logprobs of a one-token yes/no answer: probability mass of tokens reading "yes",
     * normalised by the mass of "yes" and "no" tokens (case and surrounding space ignored). Null when neither occurs.
     */
    public static Double pYes(Map<String, Double> topLogprobs) {
        double yes = 0;
        double no = 0;
        for (Map.Entry<String, Double> e : topLogprobs.entrySet()) {
            String token = e.getKey().trim().toLowerCase(Locale.ROOT);
            double p = Math.exp(e.getValue());
            if (token.equals("yes")) {
                yes += p;
            } else if (token.equals("no")) {
                no += p;
            }
        }
        if (yes + no == 0) {
            return null;
        }
        return clamp(yes / (yes + no));
    }

    private static double clamp(double p) {
        return Math.max(0.0, Math.min(1.0, p));
    }
}
