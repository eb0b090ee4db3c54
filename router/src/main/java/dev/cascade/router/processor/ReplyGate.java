package dev.cascade.router.processor;

import dev.cascade.events.AnswerEvent;
import dev.cascade.router.model.RejectReason;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a query through to its first tier only once its {@code reply_to} topic is known to exist ({@link ReplyTopics}):
 * no tier is paid for an answer that could not be delivered, and the stream thread never writes to a missing topic.
 * A query naming a topic known to be missing is dead-lettered at the door ({@code reply_to_missing}, bytes unchanged);
 * one naming a topic not yet looked up waits, written to the in-flight store but not dispatched, until the lookup
 * answers. A query found in the store after a restart has no input record any more: if its topic is missing it is
 * answered {@code FAILED} on the default answers topic instead. Stream thread only.
 */
final class ReplyGate {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyGate.class);

    /** A query waiting for its reply topic's lookup, with its input record and its origin (null after a restart). */
    private record Waiting(InFlight query, Record<byte[], byte[]> record, Outputs.Source source) {
    }

    private final ReplyTopics topics;
    private final String answersTopic;
    private final KeyValueStore<String, InFlight> store;
    private final Outputs outputs;
    private final Consumer<InFlight> start;
    private final List<Waiting> waiting = new ArrayList<>();

    /** @param start takes a query whose answer can be delivered on to its first tier */
    ReplyGate(ReplyTopics topics, String answersTopic, KeyValueStore<String, InFlight> store, Outputs outputs,
              Consumer<InFlight> start) {
        this.topics = topics;
        this.answersTopic = answersTopic;
        this.store = store;
        this.outputs = outputs;
        this.start = start;
    }

    /** A query just admitted from {@code record}. */
    void admit(InFlight query, Record<byte[], byte[]> record) {
        pass(new Waiting(query, record, outputs.source()));
    }

    /** A query found in the store after a (re)assignment. */
    void resume(InFlight query) {
        pass(new Waiting(query, null, null));
    }

    private void pass(Waiting w) {
        InFlight query = w.query();
        if (query.replyTopic().equals(answersTopic)) {
            start.accept(query);
            return;
        }
        switch (topics.status(query.replyTopic())) {
            case EXISTS -> start.accept(query);
            case MISSING -> refuse(w);
            case UNKNOWN -> {
                store.put(query.key(), query);
                waiting.add(w);
            }
        }
    }

    /** Lets through, or refuses, the waiting queries whose reply topic is now known. */
    void drain() {
        for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            ReplyTopics.Status status = topics.status(w.query().replyTopic());
            if (status != ReplyTopics.Status.UNKNOWN) {
                it.remove();
                if (status == ReplyTopics.Status.EXISTS) {
                    start.accept(w.query());
                } else {
                    refuse(w);
                }
            }
        }
    }

    private void refuse(Waiting w) {
        InFlight query = w.query();
        store.delete(query.key());
        String detail = "reply_to topic '" + query.replyTopic() + "' does not exist (or the router may not "
                + "describe it); create it before naming it";
        if (w.record() != null) {
            outputs.deadLetter(w.record(), RejectReason.REPLY_TO_MISSING, detail, w.source());
            return;
        }
        LOG.warn("query '{}': {}; answered FAILED on {}", query.id(), detail, answersTopic);
        outputs.answer(query, new AnswerEvent(query.id(), query.route(), AnswerEvent.Status.FAILED, null, null, null,
                null, java.math.BigDecimal.ZERO, outputs.now() - query.receivedAt(), query.attempts(), detail),
                answersTopic);
    }

    void clear() {
        waiting.clear();
    }
}
