package dev.cascade.router.processor;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Whether the reply topics that queries name exist, answered at once from a cache that lookups in the background
 * keep filled, so the stream thread never waits for the broker (a producer sending to a missing topic blocks for
 * {@code max.block.ms} and then fails the task). A topic asked about for the first time is {@code UNKNOWN} until its
 * lookup answers; a missing topic is trusted to be missing for {@link #MISSING_FOR} and then looked up again; an
 * existing one is looked up again in the background after {@link #EXISTS_FOR} and counts as existing meanwhile; a
 * failed lookup is retried after {@link #RETRY_AFTER}. At most {@link #MAX_TOPICS} names are kept (producers choose
 * them); past that the cache starts again. Thread-safe: shared by the tasks of an instance.
 */
public final class ReplyTopics {
    /** What is known of a topic. */
    public enum Status { EXISTS, MISSING, UNKNOWN }

    /** Asks the cluster about a topic: true or false, or fails when it cannot tell (not reachable, time-out). */
    @FunctionalInterface
    public interface Lookup {
        CompletionStage<Boolean> exists(String topic);
    }

    static final Duration MISSING_FOR = Duration.ofSeconds(5);
    static final Duration EXISTS_FOR = Duration.ofMinutes(1);
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    static final int MAX_TOPICS = 10_000;
    private static final int LOOKUP_TIMEOUT_MS = 10_000;

    /** @param staleAt when the entry is to be looked up again; {@code pending} while a lookup is under way */
    private record Entry(Status status, long staleAt, boolean pending) {
    }

    private final ConcurrentHashMap<String, Entry> topics = new ConcurrentHashMap<>();
    private final Lookup lookup;
    private final Clock clock;

    public ReplyTopics(Lookup lookup, Clock clock) {
        this.lookup = lookup;
        this.clock = clock;
    }

    /** Topics looked up with {@code admin}'s {@code describeTopics}; a topic the router may not describe is missing. */
    public static ReplyTopics using(Admin admin) {
        return new ReplyTopics(topic -> {
            CompletableFuture<Boolean> out = new CompletableFuture<>();
            admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(LOOKUP_TIMEOUT_MS))
                    .allTopicNames().whenComplete((names, failure) -> {
                        Throwable cause = failure;
                        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                                && cause.getCause() != null) {
                            cause = cause.getCause();
                        }
                        if (cause == null) {
                            out.complete(true);
                        } else if (cause instanceof UnknownTopicOrPartitionException
                                || cause instanceof TopicAuthorizationException
                                || cause instanceof InvalidTopicException) {
                            out.complete(false);
                        } else {
                            out.completeExceptionally(cause);
                        }
                    });
            return out;
        }, Clock.systemUTC());
    }

    /** Every topic exists, without asking (tests that run no cluster). */
    public static ReplyTopics assumeExisting() {
        return new ReplyTopics(topic -> CompletableFuture.completedFuture(true), Clock.systemUTC());
    }

    /** What is known of {@code topic} now; starts a lookup when nothing, or nothing recent, is known. Never blocks. */
    public Status status(String topic) {
        long now = clock.millis();
        Entry e = topics.get(topic);
        if (e == null || (!e.pending() && e.staleAt() <= now)) {
            refresh(topic, now);
            e = topics.get(topic);
        }
        if (e == null || (e.status() == Status.MISSING && e.staleAt() <= now)) {
            return Status.UNKNOWN;
        }
        return e.status();
    }

    private void refresh(String topic, long now) {
        if (!topics.containsKey(topic) && topics.size() >= MAX_TOPICS) {
            topics.clear();
        }
        boolean[] start = {false};
        topics.compute(topic, (t, e) -> {
            if (e != null && (e.pending() || e.staleAt() > now)) {
                return e;
            }
            start[0] = true;
            return new Entry(e == null ? Status.UNKNOWN : e.status(), now, true);
        });
        if (!start[0]) {
            return;
        }
        CompletionStage<Boolean> answer;
        try {
            answer = lookup.exists(topic);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((exists, failure) -> {
            long at = clock.millis();
            // only names still kept are updated: one dropped meanwhile (the cache started again) stays dropped
            topics.computeIfPresent(topic, (t, e) -> failure != null || exists == null
                    ? new Entry(e.status(), at + RETRY_AFTER.toMillis(), false)
                    : exists ? new Entry(Status.EXISTS, at + EXISTS_FOR.toMillis(), false)
                    : new Entry(Status.MISSING, at + MISSING_FOR.toMillis(), false));
        });
    }
}
