package dev.cascade.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.router.config.RouterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay mode's plan: its generated configs are ones the real router and ledger accept, and its judge. */
class ReplayPlanTest {
    private static final String LINE = "{\"id\":\"q%d\",\"task\":\"t\",\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"question %d\"}],\"gold\":\"A\",\"outcomes\":{\"llama3.2-1b\":{\"answer\":\"A\",\"correct\":%s,"
            + "\"confidence\":0.9,\"prompt_tokens\":10,\"completion_tokens\":1,\"latency_ms\":5,\"cost_usd\":1.1e-06},"
            + "\"gpt-4o\":{\"answer\":\"A\",\"correct\":true,\"confidence\":0.99,\"prompt_tokens\":10,"
            + "\"completion_tokens\":1,\"latency_ms\":50,\"cost_usd\":3.5e-05}}}\n";

    private static Path home() {
        return Path.of(System.getProperty("cascade.home", "../..")).toAbsolutePath().normalize();
    }

    @Test
    void shouldWriteConfigsTheRouterAndLedgerAcceptAndJudgeByTheServingModel(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("o.jsonl");
        Files.writeString(file, String.format(LINE, 1, 1, "true") + String.format(LINE, 2, 2, "false"));
        Path policy = dir.resolve("p.json");
        Files.writeString(policy, "{\"tiers\":[{\"name\":\"llama3.2-1b\",\"threshold\":0.8},{\"name\":\"gpt-4o\"}],"
                + "\"shadow_rate\":0.0}");
        ReplayPlan plan = ReplayPlan.load(file, policy, home().resolve("deploy/local/config/replay-prices.yaml"));
        assertThat(plan.ids).containsExactly("q1", "q2");
        assertThat(plan.tiers).containsExactly("llama3.2-1b", "gpt-4o");

        Path routerYaml = Files.writeString(dir.resolve("router.yaml"), plan.routerConfig(8090, 8081));
        RouterConfig router = RouterConfig.load(routerYaml, Map.of());
        assertThat(router.tiers()).containsKeys("llama3.2-1b", "gpt-4o");
        assertThat(router.routes().get("default").tiers().get(0).threshold()).isEqualTo(0.8);
        Path ledgerYaml = Files.writeString(dir.resolve("ledger.yaml"), plan.ledgerConfig(8082));
        assertThat(LedgerConfig.load(ledgerYaml, Map.of())).isNotNull();

        JsonNode query = Json.mapper().readTree(plan.queryValue(1, "run-"));
        assertThat(query.path("id").asText()).isEqualTo("run-q2");
        assertThat(query.path("messages").get(0).path("content").asText()).isEqualTo("question 2");
        assertThat(plan.verdict("run-q2", "llama3.2-1b", "run-")).isFalse();
        assertThat(plan.verdict("run-q2", "gpt-4o", "run-")).isTrue();
        assertThat(plan.verdict("other", "gpt-4o", "run-")).isNull();
        assertThat(plan.referenceAccuracy()).isEqualTo(1.0);
        assertThat(router.routes().get("default").shadowRate()).isZero();
        assertThat(router.routes().get("default").targetQuality()).isNull();

        // --shadow-rate and --target reach the router's route and the ledger's quality target
        plan.withQuality(0.2, 0.96);
        RouterConfig shadowed = RouterConfig.load(Files.writeString(dir.resolve("router2.yaml"),
                plan.routerConfig(8090, 8081)), Map.of());
        assertThat(shadowed.routes().get("default").shadowRate()).isEqualTo(0.2);
        assertThat(shadowed.routes().get("default").targetQuality()).isEqualTo(0.96);
        assertThat(LedgerConfig.load(Files.writeString(dir.resolve("ledger2.yaml"), plan.ledgerConfig(8082)),
                Map.of()).qualityTargets().get("default").targetQuality()).isEqualTo(0.96);
    }

    @Test
    void shouldRefuseAPolicyWithoutPricesOrOutcomesAndBadOptions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("o.jsonl");
        Files.writeString(file, String.format(LINE, 1, 1, "true"));
        Path policy = dir.resolve("p.json");
        Files.writeString(policy, "{\"tiers\":[{\"name\":\"mystery\",\"threshold\":0.8},{\"name\":\"gpt-4o\"}]}");
        assertThatThrownBy(() -> ReplayPlan.load(file, policy, home().resolve(
                "deploy/local/config/replay-prices.yaml"))).hasMessageContaining("no token prices for model 'mystery'");
        Files.writeString(policy, "{\"tiers\":[{\"name\":\"llama3.1-8b\",\"threshold\":0.8},{\"name\":\"gpt-4o\"}]}");
        assertThatThrownBy(() -> ReplayPlan.load(file, policy, home().resolve(
                "deploy/local/config/replay-prices.yaml"))).hasMessageContaining("no outcome of model 'llama3.1-8b'");

        assertThatThrownBy(() -> StackOptions.parse(new String[]{"--replay", file.toString()}, home()))
                .hasMessageContaining("--replay and --policy go together");
        assertThatThrownBy(() -> StackOptions.parse(new String[]{"--replay", file.toString(), "--policy",
                policy.toString(), "--queries", "5"}, home())).hasMessageContaining("--queries does not apply");
        StackOptions ok = StackOptions.parse(new String[]{"--replay", file.toString(), "--policy", policy.toString(),
                "--latency-factor", "0.5"}, home());
        assertThat(ok.latencyFactor()).isEqualTo(0.5);
        assertThat(ok.shadowRate()).isNull();
        StackOptions quality = StackOptions.parse(new String[]{"--shadow-rate", "0.2", "--target", "0.97"}, home());
        assertThat(quality.shadowRate()).isEqualTo(0.2);
        assertThat(quality.targetQuality()).isEqualTo(0.97);
        assertThatThrownBy(() -> StackOptions.parse(new String[]{"--shadow-rate", "1.5"}, home()))
                .hasMessageContaining("--shadow-rate must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> StackOptions.parse(new String[]{"--target", "0"}, home()))
                .hasMessageContaining("--target must be in (0, 1]");
    }

    @Test
    void shouldApplyTheDemosOverridesToTheRouterAndLedgerFilesTheServicesLoad(@TempDir Path dir) throws Exception {
        Path router = Files.writeString(dir.resolve("r.yaml"), DemoConfigs.router(
                home().resolve("deploy/local/config/router.yaml"), 1.0, 0.9));
        assertThat(RouterConfig.load(router, Map.of()).routes().get("default").shadowRate()).isEqualTo(1.0);
        assertThat(RouterConfig.load(router, Map.of()).routes().get("default").targetQuality()).isEqualTo(0.9);
        Path ledger = Files.writeString(dir.resolve("l.yaml"), DemoConfigs.ledger(
                home().resolve("deploy/local/config/ledger.yaml"), 0.9));
        assertThat(LedgerConfig.load(ledger, Map.of()).qualityTargets().get("default").targetQuality())
                .isEqualTo(0.9);
    }
}
