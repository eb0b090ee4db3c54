package dev.cascade.router.processor;

import dev.cascade.core.pricing.TokenPrice;
import dev.cascade.events.AnswerEvent;
import dev.cascade.events.AnswerEvent.AttemptSummary;
import dev.cascade.router.client.ModelReply;
import dev.cascade.router.metrics.RouterMetrics;
import java.math.BigDecimal;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Ends queries: writes a query's one answer (served, or failed with its reason), removes its in-flight entry, keeps a
 * served answer for retries ({@link Replays}) and the instance's in-flight gauge. The reasons of a failure start with
 * a stable word: {@code deadline:}, {@code overloaded:} or {@code every tier failed}. Stream thread only.
 */
final class Answers {
    private final KeyValueStore<String, InFlight> store;
    private final Replays replays;
    private final Outputs outputs;
    private final RouterMetrics metrics;
    private long owned;

    Answers(KeyValueStore<String, InFlight> store, Replays replays, Outputs outputs, RouterMetrics metrics) {
        this.store = store;
        this.replays = replays;
        this.outputs = outputs;
        this.metrics = metrics;
    }

    /** The processor takes charge of a query (new, or found in the store after a (re)assignment). */
    void owned() {
        owned++;
        metrics.queriesInFlight(1);
    }

    void served(InFlight f, String tier, String model, ModelReply reply) {
        finish(f, new AnswerEvent(f.id(), f.route(), AnswerEvent.Status.ANSWERED, tier, model, reply.content(),
                reply.confidence(), totalCost(f), elapsed(f), f.attempts(), null));
    }

    void failed(InFlight f, String error) {
        finish(f, new AnswerEvent(f.id(), f.route(), AnswerEvent.Status.FAILED, null, null, null, null, totalCost(f),
                elapsed(f), f.attempts(), error));
    }

    /** The reason of a query whose deadline passed first, naming the deadline and the tiers tried. */
    static String deadline(InFlight f) {
        return "deadline: " + f.deadline().ms() + " ms (deadline_ms) passed before an answer; tiers tried: "
                + (f.attempts().isEmpty() ? "none" : trail(f));
    }

    /** The reason of a query that found no tier with a free call slot or waiting place. */
    static String overloaded(InFlight f, String last) {
        return "overloaded: no tier had room (" + trail(f) + "); last: " + last;
    }

    static String everyTierFailed(InFlight f, String last) {
        return "every tier failed (" + trail(f) + "); last: " + last;
    }

    private static String trail(InFlight f) {
        return f.attempts().stream().map(a -> a.tier() + "=" + a.outcome()).collect(Collectors.joining(", "));
    }

    private void finish(InFlight f, AnswerEvent answer) {
        replays.remember(f, outputs.answer(f, answer));
        store.delete(f.key());
        owned--;
        metrics.queriesInFlight(-1);
    }

    private long elapsed(InFlight f) {
        return outputs.now() - f.receivedAt();
    }

    private static BigDecimal totalCost(InFlight f) {
        BigDecimal sum = BigDecimal.ZERO;
        for (AttemptSummary a : f.attempts()) {
            sum = sum.add(a.costUsd());
        }
        return TokenPrice.normalise(sum);
    }

    /** The task is closing: its queries leave this instance's in-flight gauge. */
    void close() {
        metrics.queriesInFlight(-owned);
        owned = 0;
    }
}
