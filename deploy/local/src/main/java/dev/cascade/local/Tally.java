package dev.cascade.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads answers, attempts, shadow records and dead letters (read_committed) from where they ended when the stack
 * started, and counts them per tier; answers and shadow records are also handed on (to the judge). One reader
 * thread; the counts are safe to read from any thread.
 */
final class Tally implements Runnable {
    private static final List<String> OUTCOMES = List.of("ACCEPTED", "ESCALATED", "ERROR", "TIMEOUT",
            "SHORT_CIRCUITED");

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String answersTopic;
    private final String attemptsTopic;
    private final String dlqTopic;
    private final String shadowTopic;
    private volatile boolean running = true;

    final Set<String> answeredIds = ConcurrentHashMap.newKeySet();
    final AtomicLong answers = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong deadLetters = new AtomicLong();
    final AtomicLong shadows = new AtomicLong();
    private final Map<String, Map<String, AtomicLong>> attempts = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> served = new ConcurrentHashMap<>();
    private final Map<String, BigDecimal> cost = new ConcurrentHashMap<>();
    private volatile BigDecimal answerCost = BigDecimal.ZERO;
    private volatile BigDecimal attemptsCost = BigDecimal.ZERO;
    private final java.util.function.Consumer<JsonNode> onAnswer;
    private final java.util.function.Consumer<JsonNode> onShadow;

    Tally(String bootstrap, String answersTopic, String attemptsTopic, String dlqTopic, String shadowTopic,
          java.util.function.Consumer<JsonNode> onAnswer, java.util.function.Consumer<JsonNode> onShadow) {
        this.onAnswer = onAnswer;
        this.onShadow = onShadow;
        this.answersTopic = answersTopic;
        this.attemptsTopic = attemptsTopic;
        this.dlqTopic = dlqTopic;
        this.shadowTopic = shadowTopic;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> partitions = List.of(answersTopic, attemptsTopic, dlqTopic, shadowTopic).stream()
                .flatMap(t -> consumer.partitionsFor(t, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(t, p.partition())))
                .collect(Collectors.toList());
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(30)));
    }

    @Override
    public void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    count(r);
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    void stop() {
        running = false;
    }

    private void count(ConsumerRecord<byte[], byte[]> r) {
        if (r.topic().equals(dlqTopic)) {
            deadLetters.incrementAndGet();
            return;
        }
        JsonNode n;
        try {
            n = Json.mapper().readTree(r.value());
        } catch (IOException e) {
            System.err.println("unreadable record on " + r.topic() + ": " + e.getMessage());
            return;
        }
        if (r.topic().equals(shadowTopic)) {
            shadows.incrementAndGet();
            onShadow.accept(n);
        } else if (r.topic().equals(answersTopic)) {
            answers.incrementAndGet();
            answeredIds.add(n.path("id").asText());
            synchronized (this) {
                answerCost = answerCost.add(n.path("cost_usd").decimalValue());
            }
            onAnswer.accept(n);
            if (n.path("status").asText().equals("FAILED")) {
                failed.incrementAndGet();
            } else {
                served.computeIfAbsent(n.path("tier").asText(), t -> new AtomicLong()).incrementAndGet();
            }
        } else if (r.topic().equals(attemptsTopic)) {
            String tier = n.path("tier").asText();
            attempts.computeIfAbsent(tier, t -> new ConcurrentHashMap<>())
                    .computeIfAbsent(n.path("outcome").asText(), o -> new AtomicLong()).incrementAndGet();
            cost.merge(tier, n.path("cost_usd").decimalValue(), BigDecimal::add);
            synchronized (this) {
                attemptsCost = attemptsCost.add(n.path("cost_usd").decimalValue());
            }
        }
    }

    /** Exact sum of cost_usd over every attempt read. */
    synchronized BigDecimal attemptsCost() {
        return attemptsCost;
    }

    long attempts(String tier, String outcome) {
        AtomicLong v = attempts.getOrDefault(tier, Map.of()).get(outcome);
        return v == null ? 0 : v.get();
    }

    String progressLine() {
        String mix = new TreeMap<>(served).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return "answered " + answers.get() + " (" + (mix.isEmpty() ? "none yet" : mix) + "), failed " + failed.get()
                + ", dead-lettered " + deadLetters.get();
    }

    String summary(List<String> tierOrder) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-10s %8s %9s %9s %6s %8s %9s %8s %14s%n", "tier", "answers", "accepted",
                "escalated", "errors", "timeouts", "shorted", "calls", "cost_usd"));
        BigDecimal total = BigDecimal.ZERO;
        long totalAnswers = 0;
        for (String tier : tierOrder) {
            long calls = OUTCOMES.stream().filter(o -> !o.equals("SHORT_CIRCUITED")).mapToLong(o -> attempts(tier, o))
                    .sum();
            BigDecimal c = cost.getOrDefault(tier, BigDecimal.ZERO);
            long s = served.getOrDefault(tier, new AtomicLong()).get();
            total = total.add(c);
            totalAnswers += s;
            sb.append(String.format("%-10s %8d %9d %9d %6d %8d %9d %8d %14s%n", tier, s, attempts(tier, "ACCEPTED"),
                    attempts(tier, "ESCALATED"), attempts(tier, "ERROR"), attempts(tier, "TIMEOUT"),
                    attempts(tier, "SHORT_CIRCUITED"), calls, c.toPlainString()));
        }
        sb.append(String.format("%-10s %8d %9s %9s %6s %8s %9s %8s %14s%n", "total", totalAnswers, "", "", "", "", "",
                "", total.toPlainString()));
        sb.append("answers: ").append(answers.get()).append(" (failed ").append(failed.get())
                .append("), dead-lettered inputs: ").append(deadLetters.get())
                .append(", shadow-sampled: ").append(shadows.get())
                .append(", cost on answers: ").append(answerCost.toPlainString()).append(" USD");
        return sb.toString();
    }
}
