package dev.cascade.simulator;

/**
 * How one simulated model behaves. Immutable; the server swaps whole instances when an operator changes a model.
 *
 * @param accuracy          probability in [0,1] that an answer is right (decided deterministically per query)
 * @param latencyMs         time before the response is sent (0 allowed)
 * @param confidenceCorrect confidence reported for right answers (before jitter)
 * @param confidenceWrong   confidence reported for wrong answers (before jitter)
 * @param jitter            half-width of the deterministic per-query spread around those confidences
 * @param errorRate         probability in [0,1] that a request gets an HTTP 500
 * @param mode              {@code ok}, {@code fail} (every request gets HTTP 500) or {@code hang} (respond after
 *                          {@code hangMs})
 * @param hangMs            how long a hanging request is held
 */
public record ModelBehaviour(double accuracy, long latencyMs, double confidenceCorrect, double confidenceWrong,
                             double jitter, double errorRate, Mode mode, long hangMs) {

    /** Failure switch of a model. */
    public enum Mode { OK, FAIL, HANG }

    public ModelBehaviour {
        requireProbability("accuracy", accuracy);
        requireProbability("confidence_correct", confidenceCorrect);
        requireProbability("confidence_wrong", confidenceWrong);
        requireProbability("error_rate", errorRate);
        if (jitter < 0 || jitter > 0.5) {
            throw new IllegalArgumentException("jitter must be in [0, 0.5], got " + jitter);
        }
        if (latencyMs < 0 || hangMs < 0) {
            throw new IllegalArgumentException("latency_ms and hang_ms must be >= 0, got " + latencyMs + ", " + hangMs);
        }
        if (mode == null) {
            throw new IllegalArgumentException("mode must be one of ok, fail, hang");
        }
    }

    public static ModelBehaviour defaults() {
        return new ModelBehaviour(0.8, 0, 0.9, 0.4, 0.05, 0.0, Mode.OK, 600_000);
    }

    private static void requireProbability(String name, double v) {
        if (!(v >= 0.0 && v <= 1.0)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + v);
        }
    }

    /** A copy with the fields present in {@code patch} (snake_case keys) replaced. */
    public ModelBehaviour with(java.util.Map<String, Object> patch) {
        double acc = num(patch, "accuracy", accuracy);
        long lat = (long) num(patch, "latency_ms", latencyMs);
        double cc = num(patch, "confidence_correct", confidenceCorrect);
        double cw = num(patch, "confidence_wrong", confidenceWrong);
        double jit = num(patch, "jitter", jitter);
        double err = num(patch, "error_rate", errorRate);
        long hang = (long) num(patch, "hang_ms", hangMs);
        Mode m = mode;
        Object modeValue = patch.get("mode");
        if (modeValue != null) {
            try {
                m = Mode.valueOf(modeValue.toString().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mode must be one of ok, fail, hang, got " + modeValue);
            }
        }
        for (String key : patch.keySet()) {
            if (!java.util.Set.of("accuracy", "latency_ms", "confidence_correct", "confidence_wrong", "jitter",
                    "error_rate", "hang_ms", "mode").contains(key)) {
                throw new IllegalArgumentException("unknown model field '" + key + "'");
            }
        }
        return new ModelBehaviour(acc, lat, cc, cw, jit, err, m, hang);
    }

    private static double num(java.util.Map<String, Object> patch, String key, double fallback) {
        Object v = patch.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(key + " must be a number, got " + v);
    }
}
