package dev.cascade.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TierConfigTest {

    private static Map<String, Object> doc(Map<String, Object> tier) {
        Map<String, Object> t = new LinkedHashMap<>(Map.of("base_url", "http://127.0.0.1:8000/v1", "model", "m"));
        t.putAll(tier);
        return Map.of("tiers", Map.of("small", t));
    }

    private static List<String> problems(Map<String, Object> doc, Map<String, String> env) {
        try {
            RouterConfig.from(doc, env, "test");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.problems();
        }
        throw new AssertionError("config was accepted");
    }

    @Test
    void shouldRejectBaseUrlWithUserInfoWithoutEchoingTheSecret() {
        List<String> problems = problems(doc(Map.of("base_url", "https://bob:sk-hidden-123@api.example.test/v1")),
                Map.of());
        assertThat(problems).anyMatch(p -> p.startsWith("tiers.small.base_url") && p.contains("user info"));
        assertThat(String.join("\n", problems)).doesNotContain("sk-hidden-123").doesNotContain("bob");
    }

    @Test
    void shouldRejectBaseUrlWithKeyInQueryStringFromFileOrEnvironment() {
        List<String> fromFile = problems(doc(Map.of("base_url", "https://api.example.test/v1?api_key=sk-q-999")),
                Map.of());
        assertThat(fromFile).anyMatch(p -> p.startsWith("tiers.small.base_url") && p.contains("query")
                && p.contains("api_key"));
        assertThat(String.join("\n", fromFile)).doesNotContain("sk-q-999");

        List<String> fromEnv = problems(doc(Map.of()),
                Map.of("CASCADE_TIER_SMALL_BASE_URL", "https://api.example.test/v1?key=AIzaSecret42&x=1"));
        assertThat(fromEnv).anyMatch(p -> p.startsWith("tiers.small.base_url") && p.contains("query"));
        assertThat(String.join("\n", fromEnv)).doesNotContain("AIzaSecret42");
    }

    @Test
    void shouldNotEchoAnUnparseableBaseUrl() {
        List<String> problems = problems(doc(Map.of("base_url", "http://exa mple/v1?token=tok-777")), Map.of());
        assertThat(problems).anyMatch(p -> p.startsWith("tiers.small.base_url"));
        assertThat(String.join("\n", problems)).doesNotContain("tok-777");
    }
}
