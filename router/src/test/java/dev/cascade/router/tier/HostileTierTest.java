package dev.cascade.router.tier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.core.CallResult;
import dev.cascade.events.ChatMessage;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.RouterConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A tier against model servers that misbehave on purpose (real HTTP on loopback): oversized and endless bodies,
 * nonsense usage figures and error bodies that echo the credential. Every case ends as a clean {@link TierResult},
 * the call slot is given back and the breaker is told.
 */
class HostileTierTest {
    private static final ModelRequest REQUEST = new ModelRequest(List.of(new ChatMessage("user", "hello")), null,
            null);

    private static Tiers tiers(String baseUrl, Map<String, Object> extra, Map<String, String> env) {
        Map<String, Object> tier = new LinkedHashMap<>();
        tier.put("base_url", baseUrl);
        tier.put("model", "hostile-model");
        tier.put("timeout_ms", 5000);
        tier.put("max_in_flight", 2);
        tier.putAll(extra);
        Map<String, Object> doc = Map.of("tiers", Map.of("hostile", tier));
        return Tiers.create(RouterConfig.from(doc, env, "test").tiers().values(), env);
    }

    private static TierResult call(Tier tier) throws Exception {
        assertThat(tier.tryAcquire()).isEqualTo(Tier.Permit.PERMITTED);
        return tier.call(REQUEST).get(20, TimeUnit.SECONDS);
    }

    private static void assertSlotFreedAndFailureCounted(Tier tier) {
        assertThat(tier.bulkhead().getMetrics().getAvailableConcurrentCalls()).isEqualTo(2);
        assertThat(tier.breaker().getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
        assertThat(tier.breaker().getMetrics().getNumberOfSuccessfulCalls()).isZero();
    }

    @Test
    void shouldGiveACleanErrorWhenATierAnswersFiveMegabytes() throws Exception {
        try (HostileModelServer server = HostileModelServer.start(HostileModelServer.hugeAnswer(5_000_000));
             Tiers tiers = tiers(server.baseUrl(), Map.of(), Map.of())) {
            Tier tier = tiers.get("hostile");
            TierResult result = call(tier);
            assertThat(result.kind()).isEqualTo(CallResult.Kind.ERROR);
            assertThat(result.error()).contains("max_response_bytes");
            assertThat(result.reply()).isNull();
            assertSlotFreedAndFailureCounted(tier);
        }
    }

    @Test
    void shouldStopReadingAnEndlessResponseAtTheCap() throws Exception {
        try (HostileModelServer server = HostileModelServer.start(HostileModelServer.endless(16 * 1024, 5, 8_000));
             Tiers tiers = tiers(server.baseUrl(), Map.of("timeout_ms", 3000), Map.of())) {
            Tier tier = tiers.get("hostile");
            TierResult result = call(tier);
            assertThat(result.kind()).isEqualTo(CallResult.Kind.ERROR);
            assertThat(result.error()).contains("max_response_bytes");
            assertThat(result.latencyMs()).isLessThan(3000);
            Awaitility.await("server sees the client go").atMost(Duration.ofSeconds(3))
                    .until(() -> server.abandoned() == 1);
            assertSlotFreedAndFailureCounted(tier);
        }
    }

    @Test
    void shouldCancelTheExchangeWhenTheTierTimesOut() throws Exception {
        try (HostileModelServer server = HostileModelServer.start(HostileModelServer.endless(1, 50, 20_000));
             Tiers tiers = tiers(server.baseUrl(), Map.of("timeout_ms", 500), Map.of())) {
            Tier tier = tiers.get("hostile");
            TierResult result = call(tier);
            assertThat(result.kind()).isEqualTo(CallResult.Kind.TIMEOUT);
            // the slot is free again, and the connection is closed rather than left reading in the background
            Awaitility.await("exchange cancelled at the time-out").atMost(Duration.ofSeconds(3))
                    .until(() -> server.abandoned() == 1);
            assertSlotFreedAndFailureCounted(tier);
        }
    }

    @Test
    void shouldRefuseDeeplyNestedJson() throws Exception {
        String nested = "[".repeat(100_000) + "]".repeat(100_000);
        try (HostileModelServer server = HostileModelServer.start(ex -> HostileModelServer.send(ex, 200, nested));
             Tiers tiers = tiers(server.baseUrl(), Map.of(), Map.of())) {
            Tier tier = tiers.get("hostile");
            TierResult result = call(tier);
            assertThat(result.kind()).isEqualTo(CallResult.Kind.ERROR);
            assertThat(result.error()).contains("not JSON").hasSizeLessThan(1000);
            assertSlotFreedAndFailureCounted(tier);
        }
    }

    @Test
    void shouldGiveAnErrorNotASilenceWhenTokenCountsAreNegative() throws Exception {
        try (HostileModelServer server = HostileModelServer.start(HostileModelServer.answer("hi", "-5", "1"));
             Tiers tiers = tiers(server.baseUrl(), Map.of(), Map.of())) {
            Tier tier = tiers.get("hostile");
            TierResult result = call(tier);
            assertThat(result.kind()).isEqualTo(CallResult.Kind.ERROR);
            assertThat(result.error()).contains("invalid usage").contains("prompt_tokens");
            assertSlotFreedAndFailureCounted(tier);
        }
    }

    @Test
    void shouldGiveAnErrorWhenTokenCountsOverflow() throws Exception {
        for (String tokens : List.of("9223372036854775807", "99999999999999999999999", "1e400", "3000000000")) {
            try (HostileModelServer server = HostileModelServer.start(HostileModelServer.answer("hi", "1", tokens));
                 Tiers tiers = tiers(server.baseUrl(), Map.of(), Map.of())) {
                Tier tier = tiers.get("hostile");
                TierResult result = call(tier);
                assertThat(result.kind()).as(tokens).isEqualTo(CallResult.Kind.ERROR);
                assertThat(result.error()).as(tokens).contains("invalid usage").contains("completion_tokens");
                assertSlotFreedAndFailureCounted(tier);
            }
        }
    }

    @Test
    void shouldRedactTheKeyWhenAnErrorBodyEchoesTheRequest() throws Exception {
        String key = "k-" + UUID.randomUUID();
        for (String kind : List.of("openai", "anthropic")) {
            try (HostileModelServer server = HostileModelServer.start(HostileModelServer.echoHeadersError());
                 Tiers tiers = tiers(server.baseUrl(), Map.of("kind", kind, "confidence", "none",
                         "api_key_env", "HOSTILE_KEY"), Map.of("HOSTILE_KEY", key))) {
                TierResult result = call(tiers.get("hostile"));
                assertThat(server.lastAuthorization()).as("the key reached the server").contains(key);
                assertThat(result.kind()).isEqualTo(CallResult.Kind.ERROR);
                assertThat(result.error()).as(kind).contains("HTTP 500").contains("[redacted]")
                        .doesNotContain(key).doesNotContain(key.substring(0, 20));
            }
        }
    }

    @Test
    void shouldRedactKeyLookingTextFromAnyErrorBody() throws Exception {
        String body = "{\"error\":\"denied\",\"auth\":\"Bearer abc.def-ghi_jkl\","
                + "\"openai\":\"sk-proj-AbCdEf0123456789\","
                + "\"headers\":\"x-api-key: ant-9f8e7d6c5b4a\",\"query\":\"?api_key=q1w2e3r4t5\"}";
        try (HostileModelServer server = HostileModelServer.start(ex -> HostileModelServer.send(ex, 500, body));
             Tiers tiers = tiers(server.baseUrl(), Map.of(), Map.of())) {
            TierResult result = call(tiers.get("hostile"));
            assertThat(result.error()).contains("HTTP 500").contains("denied")
                    .doesNotContain("abc.def-ghi_jkl").doesNotContain("AbCdEf0123456789")
                    .doesNotContain("ant-9f8e7d6c5b4a").doesNotContain("q1w2e3r4t5");
        }
    }
}
