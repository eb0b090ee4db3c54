package dev.cascade.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A simulated model's answer to a prompt: right or wrong and how confident, decided deterministically from the model
 * name and prompt so that the same query gets the same answer on every run.
 */
record SimulatedAnswer(boolean correct, double confidence, String content, int promptTokens, int completionTokens) {

    static SimulatedAnswer of(String model, String prompt, ModelBehaviour b) {
        double u = unit(model + "\u0000correct\u0000" + prompt);
        double v = unit(model + "\u0000confidence\u0000" + prompt);
        boolean correct = u < b.accuracy();
        double base = correct ? b.confidenceCorrect() : b.confidenceWrong();
        double confidence = clamp(base + (2 * v - 1) * b.jitter());
        String content = "simulated answer of " + model + " (" + (correct ? "correct" : "wrong") + ") #"
                + Integer.toHexString(prompt.hashCode());
        return new SimulatedAnswer(correct, confidence, content, tokens(prompt), tokens(content));
    }

    static int tokens(String text) {
        return Math.max(1, text.length() / 4);
    }

    private static double clamp(double p) {
        return Math.max(0.001, Math.min(0.999, p));
    }

    /** A number in [0,1) from a stable hash of {@code key}. */
    static double unit(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            long bits = 0;
            for (int i = 0; i < 7; i++) {
                bits = (bits << 8) | (d[i] & 0xff);
            }
            return (bits >>> 3) / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
