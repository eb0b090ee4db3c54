package dev.cascade.ctl.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.FeedbackEvent;
import dev.cascade.events.Json;
import dev.cascade.events.ShadowRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShadowExportTest {
    private static ShadowRecord shadow(String id, String route, String tinyAnswer, boolean withBig) throws Exception {
        String big = withBig ? ",\"big\":{\"model\":\"b\",\"answer\":\"Paris.\",\"confidence\":null,"
                + "\"prompt_tokens\":9,\"completion_tokens\":2,\"latency_ms\":30,\"cost_usd\":0.0002,\"served\":false}"
                : "";
        return Json.mapper().readValue("{\"id\":\"" + id + "\",\"route\":\"" + route + "\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"capital of France?\"}],\"tiers\":[\"tiny\",\"big\"],\"served_tier\":\"tiny\","
                + "\"outcomes\":{\"tiny\":{\"model\":\"t\",\"answer\":\"" + tinyAnswer + "\",\"confidence\":0.9,"
                + "\"prompt_tokens\":9,\"completion_tokens\":2,\"latency_ms\":5,\"cost_usd\":0.000001,\"served\":true}"
                + big + "}}", ShadowRecord.class);
    }

    @Test
    void shouldJudgeByAgreementWithTheTerminalUnlessFeedbackSaysOtherwise() throws Exception {
        List<ShadowRecord> records = List.of(shadow("a", "r", "  paris ", true), shadow("b", "r", "Lyon", true),
                shadow("c", "r", "Paris", true), shadow("d", "r", "Paris", false), shadow("e", "other", "x", true),
                shadow("a", "r", "PARIS!", true));
        ShadowExport.Result r = ShadowExport.convert(ShadowExport.latestPerId(records), Map.of("c", false), "r");
        assertThat(r.lines()).extracting(l -> l.path("id").asText()).containsExactly("a", "b", "c");
        assertThat(r.incomplete()).isEqualTo(1);
        assertThat(r.routeSkipped()).isEqualTo(1);
        assertThat(r.judged()).isEqualTo(1);
        JsonNode a = r.lines().get(0).path("outcomes");
        assertThat(a.path("tiny").path("answer").asText()).isEqualTo("PARIS!"); // the latest record of an id wins
        assertThat(a.path("tiny").path("correct").asBoolean()).isTrue();
        assertThat(a.path("big").path("correct").asBoolean()).isTrue();
        assertThat(a.path("big").path("confidence").asDouble()).isZero();
        assertThat(r.lines().get(1).path("outcomes").path("tiny").path("correct").asBoolean()).isFalse();
        JsonNode c = r.lines().get(2).path("outcomes").path("tiny");
        assertThat(c.path("correct").asBoolean()).isFalse();
        assertThat(c.path("quality").asText()).isEqualTo("feedback");
        assertThat(OutcomesFile.parse(r.lines().get(2)).outcomes().get("big").costUsd())
                .isEqualByComparingTo("0.0002");
    }

    @Test
    void shouldReadAVerdictFromCorrectOrScore() throws Exception {
        assertThat(verdict("{\"query_id\":\"q\",\"correct\":true}")).isTrue();
        assertThat(verdict("{\"query_id\":\"q\",\"score\":0.2}")).isFalse();
        assertThat(verdict("{\"query_id\":\"q\",\"score\":0.7}")).isTrue();
        assertThat(verdict("{\"query_id\":\"q\"}")).isNull();
    }

    private static Boolean verdict(String json) throws Exception {
        return Json.mapper().readValue(json, FeedbackEvent.class).verdict();
    }
}
