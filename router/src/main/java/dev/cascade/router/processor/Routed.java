package dev.cascade.router.processor;

/** An encoded answer and the topic it goes to (the answers topic or the query's {@code reply_to}). */
public record Routed(String topic, byte[] value) {
}
