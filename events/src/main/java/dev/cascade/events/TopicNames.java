package dev.cascade.events;

/**
 * Names of the topics of the public contract. Every name is configurable; these are the defaults. {@code shadow}
 * carries one record per shadow-sampled query: every tier's answer to it (the source of export-outcomes).
 */
public record TopicNames(String queries, String answers, String attempts, String feedback, String config,
                         String configStatus, String dlq, String shadow) {

    public static TopicNames defaults() {
        return new TopicNames("cascade.queries", "cascade.answers", "cascade.attempts", "cascade.feedback",
                "cascade.config", "cascade.config.status", "cascade.dlq", "cascade.shadow");
    }
}
