package dev.cascade.events;

/**
 * Names of the topics of the public contract. Every name is configurable; the constants are the defaults, declared
 * here once. {@code shadow} carries one record per shadow-sampled query: every tier's answer to it (the source of
 * export-outcomes). The record holds the router's topics; the ledger's own topics are the constants after them.
 */
public record TopicNames(String queries, String answers, String attempts, String feedback, String config,
                         String configStatus, String dlq, String shadow) {
    public static final String QUERIES = "cascade.queries";
    public static final String ANSWERS = "cascade.answers";
    public static final String ATTEMPTS = "cascade.attempts";
    public static final String FEEDBACK = "cascade.feedback";
    public static final String CONFIG = "cascade.config";
    public static final String CONFIG_STATUS = "cascade.config.status";
    public static final String DLQ = "cascade.dlq";
    public static final String SHADOW = "cascade.shadow";
    /** Feedback for a query the ledger has no answer for. */
    public static final String FEEDBACK_UNMATCHED = "cascade.feedback.unmatched";
    /** Records the ledger could not read. */
    public static final String LEDGER_DLQ = "cascade.ledger.dlq";
    /** Live tier prices (compacted) and one status record per pricing record. */
    public static final String PRICING = "cascade.pricing";
    public static final String PRICING_STATUS = "cascade.pricing.status";

    public static TopicNames defaults() {
        return new TopicNames(QUERIES, ANSWERS, ATTEMPTS, FEEDBACK, CONFIG, CONFIG_STATUS, DLQ, SHADOW);
    }
}
