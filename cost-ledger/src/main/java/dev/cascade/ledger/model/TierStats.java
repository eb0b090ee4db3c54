package dev.cascade.ledger.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.events.Outcome;
import dev.cascade.events.RouteTier;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Aggregate of one route and tier over a window (or all time): calls by outcome, tokens, exact variable cost,
 * a mergeable latency histogram (HdrHistogram), answers served with their tokens, and quality from feedback.
 * Immutable: {@link #add} and {@link #merge} return new values. Calls by outcome are kept in the order of the
 * outcomes' names, so they print as they always have.
 */
public record TierStats(@JsonProperty("calls") Map<Outcome, Long> callsByOutcome,
                        @JsonProperty("prompt_tokens") long promptTokens,
                        @JsonProperty("completion_tokens") long completionTokens,
                        @JsonProperty("cost_usd") BigDecimal costUsd,
                        @JsonProperty("shadow_cost_usd") BigDecimal shadowCostUsd,
                        @JsonProperty("latency") byte[] latency,
                        @JsonProperty("answers") long answers,
                        @JsonProperty("answer_prompt_tokens") long answerPromptTokens,
                        @JsonProperty("answer_completion_tokens") long answerCompletionTokens,
                        @JsonProperty("feedback") long feedback,
                        @JsonProperty("correct") long correct,
                        @JsonProperty("scored") long scored,
                        @JsonProperty("score_micros") long scoreMicros,
                        @JsonProperty("first_ts") long firstTs,
                        @JsonProperty("last_ts") long lastTs) {

    private static final long MAX_LATENCY_MS = 3_600_000L;
    private static final Comparator<Outcome> BY_NAME = Comparator.comparing(Outcome::name);

    public TierStats {
        SortedMap<Outcome, Long> sorted = new TreeMap<>(BY_NAME);
        if (callsByOutcome != null) {
            sorted.putAll(callsByOutcome);
        }
        callsByOutcome = Collections.unmodifiableSortedMap(sorted);
    }

    public static TierStats empty() {
        return new TierStats(Map.of(), 0, 0, BigDecimal.ZERO, BigDecimal.ZERO, null, 0, 0, 0, 0, 0, 0, 0,
                Long.MAX_VALUE, Long.MIN_VALUE);
    }

    /** Merges aggregates keyed by {@link RouteTier#key()} into per-tier aggregates, ordered by tier. */
    public static Map<String, TierStats> byTier(Map<String, TierStats> totals) {
        Map<String, TierStats> out = new TreeMap<>();
        totals.forEach((key, s) -> out.merge(RouteTier.parse(key).tier(), s, TierStats::merge));
        return out;
    }

    public TierStats add(LedgerEvent e) {
        long first = Math.min(firstTs, e.timestamp());
        long last = Math.max(lastTs, e.timestamp());
        return switch (e.kind()) {
            case ATTEMPT -> {
                Map<Outcome, Long> c = new TreeMap<>(callsByOutcome);
                c.merge(e.outcome(), 1L, Long::sum);
                BigDecimal cost = e.costUsd() == null ? BigDecimal.ZERO : e.costUsd();
                boolean accepted = e.outcome() == Outcome.ACCEPTED && !e.shadow();
                boolean called = e.outcome() != Outcome.SHORT_CIRCUITED;
                yield new TierStats(c, promptTokens + e.promptTokens(), completionTokens + e.completionTokens(),
                        e.shadow() ? costUsd : costUsd.add(cost), e.shadow() ? shadowCostUsd.add(cost) : shadowCostUsd,
                        called ? record(latency, e.latencyMs()) : latency, answers + (accepted ? 1 : 0),
                        answerPromptTokens + (accepted ? e.promptTokens() : 0),
                        answerCompletionTokens + (accepted ? e.completionTokens() : 0), feedback,
                        correct, scored, scoreMicros, first, last);
            }
            case FEEDBACK -> {
                boolean isScore = e.score() != null;
                long micros = isScore ? Math.round(e.score() * 1_000_000) : 0;
                yield new TierStats(callsByOutcome, promptTokens, completionTokens, costUsd, shadowCostUsd, latency, answers,
                        answerPromptTokens, answerCompletionTokens, feedback + 1,
                        correct + (Boolean.TRUE.equals(e.correct()) ? 1 : 0), scored + (isScore ? 1 : 0),
                        scoreMicros + micros, first, last);
            }
        };
    }

    public TierStats merge(TierStats o) {
        Map<Outcome, Long> c = new TreeMap<>(callsByOutcome);
        o.callsByOutcome.forEach((k, v) -> c.merge(k, v, Long::sum));
        return new TierStats(c, promptTokens + o.promptTokens, completionTokens + o.completionTokens,
                costUsd.add(o.costUsd), shadowCostUsd.add(o.shadowCostUsd), mergeHistograms(latency, o.latency),
                answers + o.answers, answerPromptTokens + o.answerPromptTokens,
                answerCompletionTokens + o.answerCompletionTokens, feedback + o.feedback, correct + o.correct,
                scored + o.scored, scoreMicros + o.scoreMicros,
                Math.min(firstTs, o.firstTs), Math.max(lastTs, o.lastTs));
    }

    public long calls(Outcome outcome) {
        return callsByOutcome.getOrDefault(outcome, 0L);
    }

    /** Calls by outcome name, in name order: as printed by the API and tagged on meters. */
    public Map<String, Long> calls() {
        Map<String, Long> out = new LinkedHashMap<>();
        callsByOutcome.forEach((outcome, n) -> out.put(outcome.name(), n));
        return Collections.unmodifiableMap(out);
    }

    /** Every call recorded, short-circuited ones included. */
    @JsonIgnore
    public long callsRecorded() {
        return callsByOutcome.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Calls actually made (everything but short-circuited tiers). */
    @JsonIgnore
    public long callsMade() {
        return callsRecorded() - calls(Outcome.SHORT_CIRCUITED);
    }

    /** Latency percentile in ms (0 to 100), or null without calls. */
    public Long latencyPercentileMs(double percentile) {
        Histogram h = decode(latency);
        return h == null || h.getTotalCount() == 0 ? null : h.getValueAtPercentile(percentile);
    }

    /** Accuracy from verdict feedback, null without any; mean score from score feedback likewise. */
    @JsonIgnore
    public Double accuracy() {
        long verdicts = feedback - scored;
        return verdicts == 0 ? null : correct / (double) verdicts;
    }

    @JsonIgnore
    public Double meanScore() {
        return scored == 0 ? null : scoreMicros / 1e6 / scored;
    }

    private static byte[] record(byte[] encoded, long latencyMs) {
        Histogram h = decode(encoded);
        if (h == null) {
            h = new Histogram(MAX_LATENCY_MS, 2);
        }
        h.recordValue(Math.max(0, Math.min(MAX_LATENCY_MS, latencyMs)));
        return encode(h);
    }

    private static byte[] mergeHistograms(byte[] a, byte[] b) {
        Histogram ha = decode(a);
        Histogram hb = decode(b);
        if (ha == null) {
            return b;
        }
        if (hb != null) {
            ha.add(hb);
        }
        return encode(ha);
    }

    private static Histogram decode(byte[] encoded) {
        if (encoded == null) {
            return null;
        }
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(encoded), 0);
        } catch (DataFormatException e) {
            throw new IllegalStateException("corrupt latency histogram in aggregate", e);
        }
    }

    private static byte[] encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buffer);
        byte[] out = new byte[n];
        buffer.flip();
        buffer.get(out);
        return out;
    }
}
