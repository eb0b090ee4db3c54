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
        assertThat(plan.verdict(Json.mapper().readTree("{\"id\":\"run-q2\",\"tier\":\"llama3.2-1b\"}"), "run-"))
                .isFalse();
        assertThat(plan.verdict(Json.mapper().readTree("{\"id\":\"run-q2\",\"tier\":\"gpt-4o\"}"), "run-")).isTrue();
        assertThat(plan.verdict(Json.mapper().readTree("{\"id\":\"other\",\"tier\":\"gpt-4o\"}"), "run-")).isNull();
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
    }
}
