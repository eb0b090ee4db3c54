package dev.cascade.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The topic records as JSON: the field names of the public contract (DESIGN.md) and exact round trips. */
class ContractRecordsTest {
    private static final JsonSerde<AttemptEvent> ATTEMPTS = JsonSerde.of(AttemptEvent.class);
    private static final JsonSerde<AnswerEvent> ANSWERS = JsonSerde.of(AnswerEvent.class);

    private static AttemptEvent attempt(Outcome outcome, String error) {
        return new AttemptEvent("q-1", "default", "small", "small-model", outcome, 0.62, 0.8, 120, 40, 35,
                new BigDecimal("0.0000032"), false, 1_700_000_000_123L, error);
    }

    private static AnswerEvent answered() {
        return new AnswerEvent("q-1", "default", AnswerEvent.Status.ANSWERED, "medium", "medium-model", "42", 0.91,
                new BigDecimal("0.0000150"), 180,
                List.of(new AnswerEvent.AttemptSummary("small", Outcome.ESCALATED, 0.62, 35,
                                new BigDecimal("0.0000032")),
                        new AnswerEvent.AttemptSummary("medium", Outcome.ACCEPTED, 0.91, 140,
                                new BigDecimal("0.0000118"))),
                null);
    }

    private static JsonNode tree(byte[] bytes) throws Exception {
        return Json.mapper().readTree(bytes);
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void shouldWriteAttemptWithTheContractFieldNames() throws Exception {
        JsonNode json = tree(ATTEMPTS.toBytes(attempt(Outcome.ESCALATED, null)));

        assertThat(fieldNames(json)).containsExactlyInAnyOrder("query_id", "route", "tier", "model", "outcome",
                "confidence", "threshold", "prompt_tokens", "completion_tokens", "latency_ms", "cost_usd", "shadow",
                "timestamp");
        assertThat(json.path("query_id").asText()).isEqualTo("q-1");
        assertThat(json.path("outcome").asText()).isEqualTo("ESCALATED");
        assertThat(json.path("prompt_tokens").asLong()).isEqualTo(120);
        assertThat(json.path("completion_tokens").asLong()).isEqualTo(40);
        assertThat(json.path("shadow").isBoolean()).isTrue();
        assertThat(json.path("timestamp").asLong()).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void shouldWriteAttemptErrorOnlyWhenThereIsOne() throws Exception {
        JsonNode json = tree(ATTEMPTS.toBytes(attempt(Outcome.ERROR, "HTTP 500")));

        assertThat(json.path("error").asText()).isEqualTo("HTTP 500");
    }

    @Test
    void shouldRoundTripAttemptExactly() {
        AttemptEvent event = attempt(Outcome.SHORT_CIRCUITED, "breaker open");

        assertThat(ATTEMPTS.fromBytes(ATTEMPTS.toBytes(event))).isEqualTo(event);
    }

    @Test
    void shouldWriteAnswerWithTheContractFieldNames() throws Exception {
        JsonNode json = tree(ANSWERS.toBytes(answered()));

        assertThat(fieldNames(json)).containsExactlyInAnyOrder("id", "route", "status", "tier", "model", "content",
                "confidence", "cost_usd", "latency_ms", "attempts");
        assertThat(json.path("status").asText()).isEqualTo("ANSWERED");
        assertThat(json.path("attempts")).hasSize(2);
        assertThat(fieldNames(json.path("attempts").get(0))).containsExactlyInAnyOrder("tier", "outcome",
                "confidence", "latency_ms", "cost_usd");
        assertThat(json.path("attempts").get(0).path("outcome").asText()).isEqualTo("ESCALATED");
    }

    @Test
    void shouldRoundTripAnswerWithItsAttemptsExactly() {
        AnswerEvent answer = answered();

        assertThat(ANSWERS.fromBytes(ANSWERS.toBytes(answer))).isEqualTo(answer);
    }

    @Test
    void shouldMarkOnlyAReplayedAnswerAndRoundTripTheMark() throws Exception {
        AnswerEvent replayed = answered().asReplayed();

        JsonNode json = tree(ANSWERS.toBytes(replayed));

        assertThat(json.path("replayed").asBoolean()).isTrue();
        assertThat(json.path("content").asText()).isEqualTo("42");
        assertThat(ANSWERS.fromBytes(ANSWERS.toBytes(replayed))).isEqualTo(replayed);
        assertThat(ANSWERS.fromBytes(ANSWERS.toBytes(answered())).replayed()).isFalse();
    }

    @Test
    void shouldWriteFailedAnswerWithItsErrorAndWithoutTheAbsentTier() throws Exception {
        AnswerEvent failed = new AnswerEvent("q-2", "default", AnswerEvent.Status.FAILED, null, null, null, null,
                new BigDecimal("0.0000010"), 900, List.of(), "every tier failed");

        JsonNode json = tree(ANSWERS.toBytes(failed));

        assertThat(json.path("status").asText()).isEqualTo("FAILED");
        assertThat(json.path("error").asText()).isEqualTo("every tier failed");
        assertThat(json.has("tier")).isFalse();
        assertThat(json.has("confidence")).isFalse();
        assertThat(ANSWERS.fromBytes(ANSWERS.toBytes(failed))).isEqualTo(failed);
    }

    @Test
    void shouldWriteMoneyInPlainNotationAndReadItBackWithItsScale() throws Exception {
        // small enough that BigDecimal.toString() would write 3.20E-8
        BigDecimal cost = new BigDecimal("0.0000000320");
        AttemptEvent event = new AttemptEvent("q-1", "default", "small", "small-model", Outcome.ACCEPTED, 0.9, 0.8,
                1, 1, 3, cost, false, 1L, null);

        byte[] bytes = ATTEMPTS.toBytes(event);

        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"cost_usd\":0.0000000320");
        assertThat(ATTEMPTS.fromBytes(bytes).costUsd()).isEqualTo(cost);
        assertThat(tree(bytes).path("cost_usd").decimalValue()).isEqualByComparingTo(cost);
    }

    @Test
    void shouldReadAnswerThatCarriesFieldsAddedToTheContractLater() {
        String json = "{\"id\":\"q-3\",\"route\":\"default\",\"status\":\"ANSWERED\",\"tier\":\"small\","
                + "\"cost_usd\":0.5,\"latency_ms\":7,\"attempts\":[],\"variant\":\"canary\",\"policy_version\":4,"
                + "\"replayed\":true}";

        AnswerEvent answer = ANSWERS.fromBytes(json.getBytes(StandardCharsets.UTF_8));

        assertThat(answer.id()).isEqualTo("q-3");
        assertThat(answer.tier()).isEqualTo("small");
        assertThat(answer.costUsd()).isEqualTo(new BigDecimal("0.5"));
    }

    @Test
    void shouldNameEveryOutcomeOfTheContract() {
        assertThat(Outcome.values()).extracting(Enum::name).containsExactly("ACCEPTED", "ESCALATED", "ERROR",
                "TIMEOUT", "SHORT_CIRCUITED", "SHADOW");
    }

    @Test
    void shouldDefaultToTheContractTopicNames() {
        TopicNames topics = TopicNames.defaults();

        assertThat(topics.queries()).isEqualTo("cascade.queries");
        assertThat(topics.answers()).isEqualTo("cascade.answers");
        assertThat(topics.attempts()).isEqualTo("cascade.attempts");
        assertThat(topics.feedback()).isEqualTo("cascade.feedback");
        assertThat(topics.config()).isEqualTo("cascade.config");
        assertThat(topics.configStatus()).isEqualTo("cascade.config.status");
        assertThat(topics.dlq()).isEqualTo("cascade.dlq");
        assertThat(topics.shadow()).isEqualTo("cascade.shadow");
    }

    @Test
    void shouldReadFeedbackOnTheServedAnswerAndOnOneTiersAnswerOfAShadowRecord() {
        JsonSerde<FeedbackEvent> serde = JsonSerde.of(FeedbackEvent.class);
        FeedbackEvent served = serde.fromBytes("{\"query_id\":\"q-1\",\"correct\":true}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(served.tier()).isNull();
        assertThat(served.judgesServedAnswer()).isTrue();
        assertThat(new String(serde.toBytes(served), StandardCharsets.UTF_8))
                .isEqualTo("{\"query_id\":\"q-1\",\"correct\":true}");
        FeedbackEvent tier = serde.fromBytes("{\"query_id\":\"q-1\",\"score\":0.2,\"tier\":\"general\"}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(tier.tier()).isEqualTo("general");
        assertThat(tier.judgesServedAnswer()).isFalse();
        assertThat(tier.verdict()).isFalse();
        assertThat(tier.problem()).isNull();
        assertThat(new FeedbackEvent("q", true, null, " ").problem()).contains("tier");
        assertThat(new FeedbackEvent("q", true, null, "a|b").problem()).contains("a|b");
    }
}
