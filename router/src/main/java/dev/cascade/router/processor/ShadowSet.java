package dev.cascade.router.processor;

import dev.cascade.events.ShadowRecord;
import dev.cascade.core.TierStep;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answers to one shadow-sampled query being collected: those of the tiers tried before it was answered (kept in
 * the in-flight store) and those of the shadow calls to the tiers after it, which arrive one by one. Once every
 * expected call has ended it becomes one {@link ShadowRecord}. Stream thread only.
 */
final class ShadowSet {
    private final InFlight query;
    private final List<ShadowReply> replies;
    private int outstanding;

    ShadowSet(InFlight answered) {
        this.query = answered;
        this.replies = new ArrayList<>(answered.replies());
    }

    InFlight query() {
        return query;
    }

    /** One more shadow call was started for this query. */
    void expect() {
        outstanding++;
    }

    /** Whether every started shadow call has ended. */
    boolean complete() {
        return outstanding == 0;
    }

    /** A shadow call ended, with its answer or (null) without one. */
    void ended(ShadowReply reply) {
        if (reply != null) {
            replies.add(reply);
        }
        outstanding--;
    }

    ShadowRecord toRecord(long timestamp) {
        Map<String, ShadowRecord.TierAnswer> outcomes = new LinkedHashMap<>();
        String served = null;
        for (ShadowReply r : replies) {
            outcomes.put(r.tier(), new ShadowRecord.TierAnswer(r.model(), r.answer(), r.confidence(),
                    r.promptTokens(), r.completionTokens(), r.latencyMs(), r.costUsd(), r.served()));
            if (r.served() && served == null) {
                served = r.tier();
            }
        }
        return new ShadowRecord(query.id(), query.route(), query.request().messages(),
                query.tiers().stream().map(TierStep::tier).toList(), served, timestamp, outcomes);
    }
}
