package dev.cascade.router.processor;

import dev.cascade.events.AnswerEvent;
import java.time.Duration;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Answers kept for retried query ids: every query answered {@code ANSWERED} is remembered in a changelogged window
 * store for the idempotency window, and a later query with the same id and reply topic within it gets that answer
 * again, marked {@code replayed}, without a model call. Entries are keyed like the in-flight store
 * ({@link InFlight#key()}: {@code reply_topic|id}), so one team's retry never gets another team's answer to the same
 * id. A {@code FAILED} answer is not kept: a retry after a failure (overloaded, deadline, tiers down) is a new query.
 * After the window the id is new again. A query is replayed only once its reply topic is known to exist
 * ({@link ReplyGate}).
 *
 * <p>Bounded: the store keeps segments of the window's age only (Kafka Streams drops older segments as time moves
 * on, and its changelog is compacted and deleted after the window plus a day); entries are on disk (RocksDB), none on
 * the heap. Stream thread only.
 */
final class Replays {
    static final String STORE = "answered-queries";

    private final WindowStore<String, AnswerEvent> store;
    private final Duration window;
    private final Outputs outputs;

    /** @param window the idempotency window; zero turns replays off */
    Replays(WindowStore<String, AnswerEvent> store, Duration window, Outputs outputs) {
        this.store = store;
        this.window = window;
        this.outputs = outputs;
    }

    /** The retention a store for this window needs (positive even when replays are off). */
    static Duration retention(Duration window) {
        return window.isZero() ? Duration.ofMinutes(1) : window;
    }

    /**
     * Answers {@code query} with the stored answer to its id, to the query's own reply topic and with its headers,
     * when there is one from within the window; false when the query is new.
     */
    boolean replay(InFlight query) {
        if (window.isZero()) {
            return false;
        }
        long now = outputs.now();
        AnswerEvent stored = null;
        try (WindowStoreIterator<AnswerEvent> it = store.fetch(query.key(), now - window.toMillis() + 1, now)) {
            while (it.hasNext()) {
                stored = it.next().value; // oldest first: the last is the latest answer
            }
        }
        if (stored == null) {
            return false;
        }
        outputs.answer(query, stored.asReplayed());
        return true;
    }

    /** Keeps an answer as sent, when it answered its query. */
    void remember(InFlight query, AnswerEvent sent) {
        if (!window.isZero() && sent.status() == AnswerEvent.Status.ANSWERED) {
            store.put(query.key(), sent, outputs.now());
        }
    }
}
