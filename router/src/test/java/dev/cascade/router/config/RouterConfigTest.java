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
        assertThat(c.adminBind()).as("every interface, as before").isEqualTo("0.0.0.0");
    }

    @Test
    void shouldTakeTheAdminBindAddressFromTheFileOrTheEnvironment() {
        Map<String, Object> doc = new LinkedHashMap<>(Map.of("tiers", Map.of("general", Map.of("base_url",
                "http://127.0.0.1:8000/v1", "model", "g", "confidence", "none"))));
        doc.put("router", Map.of("admin_bind", "127.0.0.1"));
        assertThat(RouterConfig.from(doc, Map.of(), "test").adminBind()).isEqualTo("127.0.0.1");
        assertThat(RouterConfig.from(doc, Map.of("CASCADE_ADMIN_BIND", "::1"), "test").adminBind()).isEqualTo("::1");
        doc.put("router", Map.of("admin_bind", "127.0.0.1/8 ; rm"));
        assertThatThrownBy(() -> RouterConfig.from(doc, Map.of(), "test")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("router.admin_bind");
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
    void shouldKeepTheQueryLimitWithinWhatOneChangelogRecordCanHold() {
        Map<String, Object> tiers = Map.of("small", Map.of("base_url", "http://h/v1", "model", "m",
                "confidence", "none"));
        Map<String, Object> tooLarge = Map.of("tiers", tiers, "router", Map.of("max_query_bytes", 1_000_000));
        assertThatThrownBy(() -> RouterConfig.from(tooLarge, Map.of(), "test"))
                .hasMessageContaining("router.max_query_bytes: 1000000 is over a third of the producer's "
                        + "max.request.size (1048576)");
        Map<String, Object> raised = Map.of("tiers", tiers, "router", Map.of("max_query_bytes", 1_000_000),
                "kafka", Map.of("producer.max.request.size", "4194304"));
        assertThat(RouterConfig.from(raised, Map.of(), "test").maxRecordBytes()).isEqualTo(4_194_304);
        Map<String, Object> garbled = Map.of("tiers", tiers, "kafka", Map.of("max.request.size", "lots"));
        assertThatThrownBy(() -> RouterConfig.from(garbled, Map.of(), "test"))
                .hasMessageContaining("kafka.max.request.size: must be a whole number of bytes >= 1024, got 'lots'");
    }

    @Test
    void shouldCheckTenantsAgainstEachOtherAndTheSharedQueriesTopic() {
        Map<String, Object> doc = new LinkedHashMap<>(Map.of("tiers", Map.of("general", Map.of("base_url",
                "http://127.0.0.1:8000/v1", "model", "g", "confidence", "none"))));
        doc.put("router", Map.of("tenants", Map.of(
                "team-a", Map.of("queries", "cascade.queries.a", "reply_to_allow", List.of("cascade.answers.a.*")))));
        TenantConfig a = RouterConfig.from(doc, Map.of(), "test").tenants().get("team-a");
        assertThat(a.queries()).isEqualTo("cascade.queries.a");
        assertThat(a.replyToAllow()).containsExactly("cascade.answers.a.*");

        Map<String, Object> tenants = new LinkedHashMap<>();
        tenants.put("team-a", Map.of("queries", "cascade.queries", "reply_to_allow", List.of("x")));
        tenants.put("team-b", Map.of("queries", "cascade.queries.b"));
        tenants.put("team-c", Map.of("queries", "cascade.queries.b", "reply_to_allow", List.of("y")));
        tenants.put("team d", Map.of("queries", "cascade.queries.d", "reply_to_allow", List.of("z"), "acl", "x"));
        doc.put("router", Map.of("tenants", tenants));
        assertThatThrownBy(() -> RouterConfig.from(doc, Map.of(), "test")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(
                        p -> assertThat(p).startsWith("router.tenants.team-a.queries").contains("shared"))
                        .anySatisfy(p -> assertThat(p).startsWith("router.tenants.team-b.reply_to_allow"))
                        .anySatisfy(p -> assertThat(p).startsWith("router.tenants.team-c.queries")
                                .contains("team-b"))
                        .anySatisfy(p -> assertThat(p).startsWith("router.tenants.team d").contains("name"))
                        .anySatisfy(p -> assertThat(p).startsWith("router.tenants.team d.acl")));
    }

    @Test
    void shouldReadTheQualityTargetAndReferenceOfAFileRouteAndRejectBadOnes() {
        Map<String, Object> tiers = Map.of("small", Map.of("base_url", "http://h/v1", "model", "m"),
                "general", Map.of("base_url", "http://h/v1", "model", "g"));
        RouterConfig c = RouterConfig.from(Map.of("tiers", tiers, "routes", Map.of("default", Map.of(
                "tiers", List.of(Map.of("name", "small", "threshold", 0.5), Map.of("name", "general")),
                "target_quality", 0.97, "reference", "small"))), Map.of(), "test");
        assertThat(c.routes().get("default").targetQuality()).isEqualTo(0.97);
        assertThat(c.routes().get("default").referenceTier()).isEqualTo("small");

        Map<String, Object> bad = Map.of("tiers", tiers, "routes", Map.of(
                "low", Map.of("tiers", List.of(Map.of("name", "general")), "target_quality", 0),
                "high", Map.of("tiers", List.of(Map.of("name", "general")), "target_quality", "lots"),
                "elsewhere", Map.of("tiers", List.of(Map.of("name", "general")), "reference", "small")));
        assertThatThrownBy(() -> RouterConfig.from(bad, Map.of(), "test")).isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    List<String> problems = ((ConfigException) e).problems();
                    assertThat(problems).anyMatch(p -> p.contains("routes.low") && p.contains("target_quality")
                            && p.contains("(0, 1]"));
                    assertThat(problems).anyMatch(p -> p.contains("target_quality") && p.contains("lots"));
                    assertThat(problems).anyMatch(p -> p.contains("routes.elsewhere")
                            && p.contains("reference 'small'"));
                });
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
