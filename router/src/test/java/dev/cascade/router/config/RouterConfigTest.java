package dev.cascade.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.core.ConfidenceMethod;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterConfigTest {
    private static final String YAML = """
            kafka:
              bootstrap.servers: 10.0.0.1:9092
            tiers:
              small:
                base_url: http://127.0.0.1:8000/v1
                model: llama3.2-1b
                max_in_flight: 8
                pricing: {input_usd_per_1m_tokens: 0.10, output_usd_per_1m_tokens: 0.10}
              general:
                kind: anthropic
                base_url: https://example.test
                model: claude
                api_key_env: GENERAL_KEY
            routes:
              default:
                tiers: [{name: small, threshold: 0.8}, {name: general}]
            """;

    @Test
    void shouldLoadYamlAndApplyEnvironmentOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("router.yaml");
        Files.writeString(file, YAML);
        RouterConfig c = RouterConfig.load(file, Map.of("KAFKA_BOOTSTRAP_SERVERS", "broker:9093",
                "KAFKA_NUM_STREAM_THREADS", "4", "CASCADE_TIER_SMALL_BASE_URL", "http://vllm:8000/v1"));
        assertThat(c.kafka()).containsEntry("bootstrap.servers", "broker:9093").containsEntry("num.stream.threads", "4")
                .containsEntry("processing.guarantee", "exactly_once_v2");
        assertThat(c.tiers().get("small").baseUrl().toString()).isEqualTo("http://vllm:8000/v1");
        assertThat(c.tiers().get("small").maxInFlight()).isEqualTo(8);
        assertThat(c.tiers().get("small").pricing().cost(1_000_000, 0)).isEqualByComparingTo(new BigDecimal("0.10"));
        assertThat(c.tiers().get("general").confidence()).isEqualTo(ConfidenceMethod.NONE);
        assertThat(c.tiers().get("general").apiKeyEnv()).isEqualTo("GENERAL_KEY");
        assertThat(c.routes().get("default").tiers()).hasSize(2);
        assertThat(c.replyToAllow()).containsExactly("cascade.answers.*");
        assertThat(c.maxQueryBytes()).isEqualTo(256 * 1024);
    }

    @Test
    void shouldReportEveryProblemAtOnce() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tiers", Map.of("small", Map.of("base_url", "ftp://x", "timeout_ms", -5, "confidence", "vibes",
                "api_key", "sk-secret", "colour", "blue")));
        doc.put("routes", Map.of("fast", Map.of("tiers", List.of(Map.of("name", "small", "threshold", 1.5),
                Map.of("name", "nope")))));
        doc.put("surprise", true);
        assertThatThrownBy(() -> RouterConfig.from(doc, Map.of(), "test"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    List<String> problems = ((ConfigException) e).problems();
                    assertThat(problems).anyMatch(p -> p.contains("tiers.small.base_url"));
                    assertThat(problems).anyMatch(p -> p.contains("tiers.small.model: is required"));
                    assertThat(problems).anyMatch(p -> p.contains("timeout_ms") && p.contains("-5"));
                    assertThat(problems).anyMatch(p -> p.contains("vibes"));
                    assertThat(problems).anyMatch(p -> p.contains("api_key") && p.contains("never"));
                    assertThat(problems).anyMatch(p -> p.contains("tiers.small.colour: unknown field"));
                    assertThat(problems).anyMatch(p -> p.contains("routes.fast") && p.contains("1.5"));
                    assertThat(problems).anyMatch(p -> p.contains("surprise: unknown field"));
                    assertThat(e.getMessage()).doesNotContain("sk-secret");
                });
    }

    @Test
    void shouldRejectANonTerminalTierWithoutConfidenceAndAPositiveThreshold() {
        Map<String, Object> doc = Map.of(
                "tiers", Map.of("small", Map.of("base_url", "http://h/v1", "model", "m"),
                        "claude", Map.of("kind", "anthropic", "base_url", "http://h", "model", "c")),
                "routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "claude", "threshold", 0.7),
                        Map.of("name", "small")))));
        assertThatThrownBy(() -> RouterConfig.from(doc, Map.of(), "test"))
                .hasMessageContaining("routes.default: tier 'claude' measures no confidence");
    }

    @Test
    void shouldRejectUnknownTierInRoute() {
        Map<String, Object> doc = Map.of(
                "tiers", Map.of("small", Map.of("base_url", "http://h/v1", "model", "m")),
                "routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "small", "threshold", 0.5),
                        Map.of("name", "ghost")))));
        assertThatThrownBy(() -> RouterConfig.from(doc, Map.of(), "test"))
                .hasMessageContaining("unknown tier 'ghost'");
    }

    @Test
    void shouldReadDeadlinesWaitingRoomAndIdempotencyWindowWithTheirDefaults() {
        Map<String, Object> doc = Map.of(
                "router", Map.of("idempotency_window_ms", 60_000),
                "tiers", Map.of("small", Map.of("base_url", "http://h/v1", "model", "m", "max_waiting", 0),
                        "general", Map.of("base_url", "http://h/v1", "model", "g", "confidence", "none")),
                "routes", Map.of("default", Map.of("tiers", List.of(Map.of("name", "general"))),
                        "timed", Map.of("deadline_ms", 1500, "tiers", List.of(Map.of("name", "general")))));
        RouterConfig c = RouterConfig.from(doc, Map.of("CASCADE_TIER_GENERAL_MAX_WAITING", "7"), "test");
        assertThat(c.idempotencyWindow()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(c.tiers().get("small").maxWaiting()).isZero();
        assertThat(c.tiers().get("general").maxWaiting()).isEqualTo(7);
        assertThat(c.routes().get("timed").deadlineMs()).isEqualTo(1500L);
        assertThat(c.routes().get("default").deadlineMs()).isNull();

        RouterConfig defaults = RouterConfig.from(Map.of("tiers", Map.of("g", Map.of("base_url", "http://h/v1",
                "model", "g"))), Map.of(), "test");
        assertThat(defaults.idempotencyWindow()).isEqualTo(java.time.Duration.ofHours(24));
        assertThat(defaults.tiers().get("g").maxWaiting()).isEqualTo(TierConfig.DEFAULT_MAX_WAITING);

        Map<String, Object> bad = Map.of(
                "router", Map.of("idempotency_window_ms", -1),
                "tiers", Map.of("g", Map.of("base_url", "http://h/v1", "model", "g", "max_waiting", -3)),
                "routes", Map.of("default", Map.of("deadline_ms", 0, "tiers", List.of(Map.of("name", "g")))));
        assertThatThrownBy(() -> RouterConfig.from(bad, Map.of(), "test")).satisfies(e -> {
            List<String> problems = ((ConfigException) e).problems();
            assertThat(problems).anyMatch(p -> p.contains("router.idempotency_window_ms") && p.contains("-1"));
            assertThat(problems).anyMatch(p -> p.contains("tiers.g.max_waiting") && p.contains("-3"));
            assertThat(problems).anyMatch(p -> p.contains("routes.default.deadline_ms") && p.contains("got 0"));
        });
    }
}
