package dev.cascade.ledger.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.events.AttemptEvent;
import dev.cascade.events.FeedbackEvent;
import dev.cascade.events.JsonSerde;
import dev.cascade.events.Outcome;
import dev.cascade.events.RouteTier;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The JSON of the ledger's repartition topic ({@link LedgerEvent}) and of its stores' changelogs ({@link TierStats})
 * is read by instances of the previous release during a rolling upgrade, and the other way round.
 */
class WireFormatTest {
    private static final JsonSerde<LedgerEvent> EVENTS = JsonSerde.of(LedgerEvent.class);
    private static final JsonSerde<TierStats> STATS = JsonSerde.of(TierStats.class);

    @Test
    void shouldWriteEventsAsThePreviousReleaseDid() {
        AttemptEvent a = new AttemptEvent("q1", "default", "small", "m", Outcome.ACCEPTED, 0.9, 0.8, 100, 20, 30,
                new BigDecimal("0.00045000"), false, 1_700_000_000_000L, null);
        assertThat(json(EVENTS.toBytes(LedgerEvent.attempt(a, 1_700_000_000_050L)))).isEqualTo("{\"kind\":\"ATTEMPT\","
                + "\"route\":\"default\",\"tier\":\"small\",\"outcome\":\"ACCEPTED\",\"prompt_tokens\":100,"
                + "\"completion_tokens\":20,\"latency_ms\":30,\"cost_usd\":0.00045000,\"shadow\":false,"
                + "\"timestamp\":1700000000000}");
        LedgerEvent f = LedgerEvent.feedback(new RouteTier("default", "general"), new FeedbackEvent("q1", null, 0.25),
                1_700_000_000_123L);
        assertThat(json(EVENTS.toBytes(f))).isEqualTo("{\"kind\":\"FEEDBACK\",\"route\":\"default\","
                + "\"tier\":\"general\",\"prompt_tokens\":0,\"completion_tokens\":0,\"latency_ms\":0,"
                + "\"shadow\":false,\"score\":0.25,\"timestamp\":1700000000123}");
    }

    @Test
    void shouldTakeTheRecordTimeForAnAttemptWithoutOne() {
        AttemptEvent a = new AttemptEvent("q1", "default", "small", "m", Outcome.ERROR, null, 0.8, 0, 0, 30,
                BigDecimal.ZERO, false, 0, "boom");
        assertThat(LedgerEvent.attempt(a, 1_700_000_000_999L).timestamp()).isEqualTo(1_700_000_000_999L);
    }

    @Test
    void shouldReadAndWriteAggregatesOfThePreviousReleaseUnchanged() {
        String previous = "{\"calls\":{\"ACCEPTED\":2,\"ERROR\":1,\"ESCALATED\":1,\"SHADOW\":1,\"SHORT_CIRCUITED\":1,"
                + "\"TIMEOUT\":1},\"prompt_tokens\":1736,\"completion_tokens\":266,\"cost_usd\":0.00210,"
                + "\"shadow_cost_usd\":0.00070,\"answers\":2,\"answer_prompt_tokens\":463,"
                + "\"answer_completion_tokens\":70,\"feedback\":3,\"correct\":1,\"scored\":1,\"score_micros\":250000,"
                + "\"first_ts\":1700000600000,\"last_ts\":1700005000002}";
        TierStats s = STATS.fromBytes(previous.getBytes(StandardCharsets.UTF_8));
        assertThat(s.calls(Outcome.ACCEPTED)).isEqualTo(2);
        assertThat(s.calls(Outcome.SHORT_CIRCUITED)).isEqualTo(1);
        assertThat(s.callsRecorded()).isEqualTo(7);
        assertThat(s.callsMade()).isEqualTo(6);
        assertThat(json(STATS.toBytes(s))).isEqualTo(previous);
        // a new outcome lands in name order, as the previous release kept it
        TierStats more = s.add(new LedgerEvent(LedgerEvent.Kind.ATTEMPT, "default", "small", Outcome.ESCALATED, 0, 0,
                5, BigDecimal.ZERO, false, null, null, 1_700_005_000_003L));
        assertThat(json(STATS.toBytes(more))).startsWith("{\"calls\":{\"ACCEPTED\":2,\"ERROR\":1,\"ESCALATED\":2,"
                + "\"SHADOW\":1,\"SHORT_CIRCUITED\":1,\"TIMEOUT\":1},");
    }

    private static String json(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
