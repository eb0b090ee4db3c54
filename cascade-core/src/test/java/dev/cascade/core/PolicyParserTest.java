package dev.cascade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyParserTest {
    private final PolicyParser parser = new PolicyParser(Set.of("small", "medium", "general"));

    private PolicyParser.Result parse(String route, String json) {
        return parser.parse(route, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    private String reason(String json) {
        return ((PolicyParser.Result.Invalid) parse("r", json)).reason();
    }

    @Test
    void shouldAcceptAValidPolicyAndWriteItBackTheSame() {
        PolicyParser.Result r = parse("r", "{\"tiers\":[{\"name\":\"small\",\"threshold\":0.82},"
                + "{\"name\":\"general\"}],\"shadow_rate\":0.0}");
        RoutePolicy policy = ((PolicyParser.Result.Valid) r).policy();
        assertThat(policy.tiers()).containsExactly(new TierStep("small", 0.82), new TierStep("general", null));
        String json = PolicyParser.toJson(policy).toString();
        assertThat(((PolicyParser.Result.Valid) parse("r", json)).policy()).isEqualTo(policy);
    }

    @Test
    void shouldRequireThresholdZeroForATierWithoutConfidenceBeforeTheLastPlace() {
        PolicyParser strict = new PolicyParser(Set.of("small", "claude", "general"), Set.of("claude", "general"));
        String reason = ((PolicyParser.Result.Invalid) strict.parse("r", ("{\"tiers\":[{\"name\":\"claude\","
                + "\"threshold\":0.5},{\"name\":\"general\"}]}").getBytes(StandardCharsets.UTF_8))).reason();
        assertThat(reason).contains("claude").contains("measures no confidence").contains("0.5");
        assertThat(strict.parse("r", ("{\"tiers\":[{\"name\":\"small\",\"threshold\":0.5},{\"name\":"
                + "\"claude\"}]}").getBytes(StandardCharsets.UTF_8))).isInstanceOf(PolicyParser.Result.Valid.class);
    }

    @Test
    void shouldRejectWithReasonNamingTheValue() {
        assertThat(reason("{\"tiers\":[{\"name\":\"small\",\"threshold\":1.5},{\"name\":\"general\"}]}"))
                .contains("1.5");
        assertThat(reason("{\"tiers\":[{\"name\":\"small\",\"threshold\":-0.1},{\"name\":\"general\"}]}"))
                .contains("-0.1");
        assertThat(reason("{\"tiers\":[{\"name\":\"small\",\"threshold\":\"0.5\"},{\"name\":\"general\"}]}"))
                .contains("must be a number");
        assertThat(reason("{\"tiers\":[{\"name\":\"huge\",\"threshold\":0.5},{\"name\":\"general\"}]}"))
                .contains("unknown tier 'huge'");
        assertThat(reason("{\"tiers\":[{\"name\":\"small\",\"threshold\":0.5},{\"name\":\"general\"}],\"x\":1}"))
                .contains("unknown field 'x'");
        assertThat(reason("{\"tiers\":[{\"name\":\"small\",\"threshold\":0.5,\"weight\":2},{\"name\":\"general\"}]}"))
                .contains("unknown field 'weight'");
        assertThat(reason("{\"tiers\":[{\"name\":\"small\",\"threshold\":0.5},{\"name\":\"small\"}]}"))
                .contains("twice");
        assertThat(reason("{\"tiers\":[{\"name\":\"general\"},{\"name\":\"small\",\"threshold\":0.5}]}"))
                .contains("no threshold");
        assertThat(reason("{\"tiers\":[{\"name\":\"small\",\"threshold\":0.5}]}")).contains("terminal");
        assertThat(reason("{\"tiers\":[]}")).contains("non-empty");
        assertThat(reason("{\"tiers\":[{\"name\":\"general\"}],\"shadow_rate\":2}")).contains("[0, 1]");
        assertThat(reason("garbage")).contains("not a JSON policy");
        assertThat(reason("[1]")).contains("JSON object");
        assertThat(((PolicyParser.Result.Invalid) parse(null, "{}")).reason()).contains("no key");
        assertThat(((PolicyParser.Result.Invalid) parse("bad route!", "{}")).reason()).contains("bad route!");
    }

    @Test
    void shouldCarryTheShadowRateThroughParseAndJson() {
        PolicyParser.Result r = parse("sampled", "{\"tiers\":[{\"name\":\"small\",\"threshold\":0.5},"
                + "{\"name\":\"general\"}],\"shadow_rate\":0.25}");
        RoutePolicy policy = ((PolicyParser.Result.Valid) r).policy();
        assertThat(policy.shadowRate()).isEqualTo(0.25);
        assertThat(PolicyParser.toJson(policy).path("shadow_rate").asDouble()).isEqualTo(0.25);
        assertThat(((PolicyParser.Result.Valid) parse("plain", "{\"tiers\":[{\"name\":\"general\"}]}")).policy()
                .shadowRate()).isZero();
    }

    @Test
    void shouldCarryTheQualityTargetAndReferenceThroughParseAndJson() {
        RoutePolicy policy = ((PolicyParser.Result.Valid) parse("kept", "{\"tiers\":[{\"name\":\"small\","
                + "\"threshold\":0.5},{\"name\":\"medium\",\"threshold\":0.6},{\"name\":\"general\"}],"
                + "\"target_quality\":0.97,\"reference\":\"medium\"}")).policy();
        assertThat(policy.targetQuality()).isEqualTo(0.97);
        assertThat(policy.reference()).isEqualTo("medium");
        assertThat(policy.referenceTier()).isEqualTo("medium");
        String json = PolicyParser.toJson(policy).toString();
        assertThat(json).contains("\"target_quality\":0.97").contains("\"reference\":\"medium\"");
        assertThat(((PolicyParser.Result.Valid) parse("kept", json)).policy()).isEqualTo(policy);

        RoutePolicy plain = ((PolicyParser.Result.Valid) parse("plain", "{\"tiers\":[{\"name\":\"small\","
                + "\"threshold\":0.5},{\"name\":\"general\"}],\"target_quality\":1}")).policy();
        assertThat(plain.reference()).isNull();
        assertThat(plain.referenceTier()).as("the last tier by default").isEqualTo("general");
        assertThat(PolicyParser.toJson(plain).has("reference")).isFalse();
    }

    @Test
    void shouldRejectATargetOutsideZeroToOneAndAReferenceThatIsNotATierOfTheRoute() {
        String tiers = "\"tiers\":[{\"name\":\"small\",\"threshold\":0.5},{\"name\":\"general\"}]";
        assertThat(reason("{" + tiers + ",\"target_quality\":0}")).contains("target_quality").contains("(0, 1]")
                .contains("got 0");
        assertThat(reason("{" + tiers + ",\"target_quality\":1.2}")).contains("1.2");
        assertThat(reason("{" + tiers + ",\"target_quality\":\"high\"}")).contains("\"high\"");
        assertThat(reason("{" + tiers + ",\"reference\":\"medium\"}")).contains("reference 'medium'")
                .contains("[small, general]");
        assertThat(reason("{" + tiers + ",\"reference\":3}")).contains("reference must be a tier name");
        assertThat(reason("{" + tiers + ",\"target\":0.9}")).contains("unknown field 'target'")
                .contains("target_quality");
    }

    @Test
    void shouldAcceptAnyTierNameInTheLenientModeButCheckEverythingElse() {
        PolicyParser lenient = PolicyParser.anyTier();
        PolicyParser.Result r = lenient.parse("r", ("{\"tiers\":[{\"name\":\"tiny\",\"threshold\":0.5},"
                + "{\"name\":\"huge\"}],\"target_quality\":0.9}").getBytes(StandardCharsets.UTF_8));
        assertThat(((PolicyParser.Result.Valid) r).policy().referenceTier()).isEqualTo("huge");
        PolicyParser.Result bad = lenient.parse("r", ("{\"tiers\":[{\"name\":\"tiny\",\"threshold\":0.5},"
                + "{\"name\":\"huge\"}],\"target_quality\":2}").getBytes(StandardCharsets.UTF_8));
        assertThat(((PolicyParser.Result.Invalid) bad).reason()).contains("target_quality");
    }

    @Test
    void shouldCarryTheDefaultDeadlineThroughParseAndJsonAndRejectOneOutOfRange() {
        PolicyParser.Result r = parse("timed", "{\"tiers\":[{\"name\":\"general\"}],\"deadline_ms\":2000}");
        RoutePolicy policy = ((PolicyParser.Result.Valid) r).policy();
        assertThat(policy.deadlineMs()).isEqualTo(2000L);
        assertThat(((PolicyParser.Result.Valid) parse("timed", PolicyParser.toJson(policy).toString())).policy())
                .isEqualTo(policy);
        assertThat(((PolicyParser.Result.Valid) parse("plain", "{\"tiers\":[{\"name\":\"general\"}]}")).policy()
                .deadlineMs()).isNull();
        assertThat(PolicyParser.toJson(new RoutePolicy("plain", policy.tiers())).has("deadline_ms")).isFalse();
        assertThat(reason("{\"tiers\":[{\"name\":\"general\"}],\"deadline_ms\":0}")).contains("deadline_ms")
                .contains("got 0");
        assertThat(reason("{\"tiers\":[{\"name\":\"general\"}],\"deadline_ms\":1.5}")).contains("got 1.5");
        assertThat(reason("{\"tiers\":[{\"name\":\"general\"}],\"deadline_ms\":\"200\"}"))
                .contains("whole number");
        assertThat(reason("{\"tiers\":[{\"name\":\"general\"}],\"deadline_ms\":86400001}"))
                .contains("86400001");
    }
}
