package dev.cascade.router.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.router.processor.ReplyTopics.Status;
import dev.cascade.router.tier.MovableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The reply-topic cache: never waits, asks once per topic at a time, trusts answers for a while, retries failures. */
class ReplyTopicsTest {
    private final MovableClock clock = new MovableClock(Clock.systemUTC());
    private final List<CompletableFuture<Boolean>> lookups = new ArrayList<>();
    private final List<String> asked = new ArrayList<>();
    private final ReplyTopics topics = new ReplyTopics(topic -> {
        asked.add(topic);
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        lookups.add(f);
        return f;
    }, clock);

    @Test
    void shouldBeUnknownUntilTheOneLookupAnswers() {
        assertThat(topics.status("t")).isEqualTo(Status.UNKNOWN);
        assertThat(topics.status("t")).isEqualTo(Status.UNKNOWN);
        assertThat(asked).as("one lookup at a time").containsExactly("t");
        lookups.get(0).complete(true);
        assertThat(topics.status("t")).isEqualTo(Status.EXISTS);
    }

    @Test
    void shouldTrustAMissingTopicBrieflyThenAskAgain() {
        topics.status("t");
        lookups.get(0).complete(false);
        assertThat(topics.status("t")).isEqualTo(Status.MISSING);
        clock.advance(ReplyTopics.MISSING_FOR.plusMillis(1));
        assertThat(topics.status("t")).as("created meanwhile? asked again, waited for").isEqualTo(Status.UNKNOWN);
        assertThat(asked).hasSize(2);
        lookups.get(1).complete(true);
        assertThat(topics.status("t")).isEqualTo(Status.EXISTS);
    }

    @Test
    void shouldKeepAnExistingTopicWhileCheckingItAgainInTheBackground() {
        topics.status("t");
        lookups.get(0).complete(true);
        clock.advance(ReplyTopics.EXISTS_FOR.plusMillis(1));
        assertThat(topics.status("t")).isEqualTo(Status.EXISTS);
        assertThat(asked).hasSize(2);
        lookups.get(1).complete(false);
        assertThat(topics.status("t")).as("deleted since").isEqualTo(Status.MISSING);
    }

    @Test
    void shouldRetryAFailedLookupAfterAPause() {
        topics.status("t");
        lookups.get(0).completeExceptionally(new RuntimeException("broker unreachable"));
        assertThat(topics.status("t")).isEqualTo(Status.UNKNOWN);
        assertThat(asked).hasSize(1);
        clock.advance(ReplyTopics.RETRY_AFTER.plus(Duration.ofMillis(1)));
        assertThat(topics.status("t")).isEqualTo(Status.UNKNOWN);
        assertThat(asked).hasSize(2);
    }

    @Test
    void shouldSurviveALookupThatThrows() {
        ReplyTopics throwing = new ReplyTopics(topic -> {
            throw new IllegalStateException("admin client closed");
        }, clock);
        assertThat(throwing.status("t")).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void shouldKeepABoundedNumberOfNames() {
        for (int i = 0; i <= ReplyTopics.MAX_TOPICS; i++) {
            topics.status("t-" + i);
        }
        lookups.forEach(f -> f.complete(true));
        assertThat(topics.status("t-" + ReplyTopics.MAX_TOPICS)).isEqualTo(Status.EXISTS);
        assertThat(topics.status("t-0")).as("forgotten when the cache started again").isEqualTo(Status.UNKNOWN);
    }
}
