package dev.cascade.core;

import java.util.Locale;

/** How a tier's confidence in its own answer is measured. */
public enum ConfidenceMethod {
    /** exp of the mean token logprob of the answer (OpenAI {@code logprobs: true}). */
    LOGPROBS,
    /** exp of the lowest token logprob of the answer: stricter on long answers. */
    LOGPROBS_MIN,
    /** A second call asks the same model whether the answer is correct; confidence is P(yes) from its logprobs. */
    VERIFY,
    /** No signal: the tier is terminal (typically the general API) and its answers are always accepted. */
    NONE;

    public static ConfidenceMethod parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("confidence must be one of logprobs, logprobs_min, verify, none; got '"
                    + text + "'", e);
        }
    }
}
