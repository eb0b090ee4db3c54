package dev.cascade.router.tier;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.ChatMessage;
import dev.cascade.events.Json;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.RouterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A producer's {@code max_tokens} is bounded by the tier's {@code max_tokens} cap on every request the router sends
 * the tier (the verification call included), over real HTTP on loopback.
 */
class MaxTokensCapTest {

    private static Tiers tiers(String baseUrl, Map<String, Object> extra, Map<String, String> env) {
        Map<String, Object> tier = new LinkedHashMap<>();
        tier.put("base_url", baseUrl);
        tier.put("model", "capped-model");
        tier.put("timeout_ms", 5000);
        tier.putAll(extra);
        Map<String, Object> doc = Map.of("tiers", Map.of("capped", tier));
        return Tiers.create(RouterConfig.from(doc, env, "test").tiers().values(), env);
    }

    private static ModelRequest request(Integer maxTokens) {
        return new ModelRequest(List.of(new ChatMessage("user", "write a novel")), maxTokens, null);
    }

    private static List<JsonNode> sentMaxTokens(HostileModelServer server, Tiers tiers, Integer... asked)
            throws Exception {
        Tier tier = tiers.get("capped");
        for (Integer n : asked) {
            assertThat(tier.tryAcquire()).isEqualTo(Tier.Permit.PERMITTED);
            tier.call(request(n)).get(20, TimeUnit.SECONDS);
        }
        return server.bodies().stream().map(MaxTokensCapTest::json).map(b -> b.path("max_tokens")).toList();
    }

    private static JsonNode json(String body) {
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void shouldSendTheSmallerOfTheQuerysMaxTokensAndTheTiersCap() throws Exception {
        try (HostileModelServer server = HostileModelServer.start(HostileModelServer.answer("ok", "3", "1"));
             Tiers tiers = tiers(server.baseUrl(), Map.of("max_tokens", 256), Map.of())) {
            assertThat(sentMaxTokens(server, tiers, 100_000, null, 10)).extracting(JsonNode::asInt)
                    .containsExactly(256, 256, 10);
        }
    }

    @Test
    void shouldCapTheVerificationCallToo() throws Exception {
        try (HostileModelServer server = HostileModelServer.start(HostileModelServer.answer("ok", "3", "1"));
             Tiers tiers = tiers(server.baseUrl(), Map.of("max_tokens", 64, "confidence", "verify"), Map.of())) {
            List<JsonNode> sent = sentMaxTokens(server, tiers, 5_000);
            assertThat(sent).as("the answer and its verification").hasSize(2);
            assertThat(sent).allSatisfy(n -> assertThat(n.asInt()).isBetween(1, 64));
            assertThat(sent.get(0).asInt()).isEqualTo(64);
        }
    }

    @Test
    void shouldCapAnAnthropicTierWhoseQueryNamesNoLimit() throws Exception {
        try (HostileModelServer server = HostileModelServer.start(ex -> HostileModelServer.send(ex, 200,
                "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"usage\":{\"input_tokens\":3,"
                        + "\"output_tokens\":1}}"));
             Tiers tiers = tiers(server.rootUrl(), Map.of("kind", "anthropic", "confidence", "none",
                     "max_tokens", 300), Map.of())) {
            assertThat(sentMaxTokens(server, tiers, (Integer) null, 2_000_000)).extracting(JsonNode::asInt)
                    .containsExactly(300, 300);
        }
    }

    @Test
    void shouldTakeTheCapFromTheEnvironment() throws Exception {
        try (HostileModelServer server = HostileModelServer.start(HostileModelServer.answer("ok", "3", "1"));
             Tiers tiers = tiers(server.baseUrl(), Map.of("max_tokens", 256),
                     Map.of("CASCADE_TIER_CAPPED_MAX_TOKENS", "32"))) {
            assertThat(sentMaxTokens(server, tiers, 100)).extracting(JsonNode::asInt).containsExactly(32);
        }
    }

    @Test
    void shouldForwardTheQuerysLimitUnchangedWithoutACap() throws Exception {
        try (HostileModelServer server = HostileModelServer.start(HostileModelServer.answer("ok", "3", "1"));
             Tiers tiers = tiers(server.baseUrl(), Map.of(), Map.of())) {
            List<JsonNode> sent = sentMaxTokens(server, tiers, 100_000, null);
            assertThat(sent.get(0).asInt()).isEqualTo(100_000);
            assertThat(sent.get(1).isMissingNode()).as("no limit asked, none sent").isTrue();
        }
    }
}
