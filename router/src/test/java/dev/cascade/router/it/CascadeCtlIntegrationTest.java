package dev.cascade.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.ctl.CascadeCtl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator CLI against a running router and the real broker. */
class CascadeCtlIntegrationTest {

    private record Run(int code, String out, String err) {
    }

    private static Run ctl(RouterHarness h, String... args) {
        List<String> all = new ArrayList<>(List.of("--bootstrap-servers", h.broker.bootstrapServers(),
                "--config-topic", h.topics.config(), "--status-topic", h.topics.configStatus(), "--timeout", "30"));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CascadeCtl.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRoundTripSetGetStatusThresholdAndRefuseABadPolicy(@TempDir Path dir) throws Exception {
        try (RouterHarness h = new RouterHarness(doc -> { }).start()) {
            Path good = dir.resolve("good.json");
            Files.writeString(good, "{\"tiers\":[{\"name\":\"small\",\"threshold\":0.82},"
                    + "{\"name\":\"medium\",\"threshold\":0.7},{\"name\":\"general\"}],\"shadow_rate\":0.0,"
                    + "\"target_quality\":0.97,\"reference\":\"general\"}");
            Run set = ctl(h, "config", "set", "support", "--file", good.toString());
            assertThat(set.code()).as(set.err()).isZero();
            assertThat(set.out()).contains("ACCEPTED");

            Run get = ctl(h, "config", "get", "support");
            assertThat(get.code()).as(get.err()).isZero();
            JsonNode policy = Json.mapper().readTree(get.out());
            assertThat(policy.path("tiers")).hasSize(3);
            assertThat(policy.path("tiers").get(0).path("threshold").asDouble()).isEqualTo(0.82);
            assertThat(policy.path("target_quality").asDouble()).isEqualTo(0.97);
            assertThat(policy.path("reference").asText()).isEqualTo("general");

            Run threshold = ctl(h, "config", "set-threshold", "support", "medium", "0.65");
            assertThat(threshold.code()).as(threshold.err()).isZero();
            JsonNode changed = Json.mapper().readTree(ctl(h, "config", "get", "support").out());
            assertThat(changed.path("tiers").get(1).path("threshold").asDouble()).isEqualTo(0.65);
            assertThat(changed.path("target_quality").asDouble()).as("kept by set-threshold").isEqualTo(0.97);

            Path bad = dir.resolve("bad.json");
            Files.writeString(bad, "{\"tiers\":[{\"name\":\"small\",\"threshold\":1.5},{\"name\":\"general\"}]}");
            Run rejected = ctl(h, "config", "set", "support", "--file", bad.toString());
            assertThat(rejected.code()).isEqualTo(1);
            assertThat(rejected.err()).contains("REJECTED").contains("1.5");

            Run status = ctl(h, "config", "status", "support");
            assertThat(status.code()).isZero();
            JsonNode s = Json.mapper().readTree(status.out());
            assertThat(s.path("status").asText()).isEqualTo("REJECTED");
            assertThat(s.path("effective_policy").path("tiers").get(1).path("threshold").asDouble()).isEqualTo(0.65);
            assertThat(s.path("effective_policy").path("target_quality").asDouble()).isEqualTo(0.97);

            Path badTarget = dir.resolve("bad-target.json");
            Files.writeString(badTarget, "{\"tiers\":[{\"name\":\"general\"}],\"target_quality\":1.2}");
            Run refused = ctl(h, "config", "set", "support", "--file", badTarget.toString());
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("REJECTED").contains("target_quality").contains("1.2");

            Run all = ctl(h, "config", "get");
            assertThat(Json.mapper().readTree(all.out()).has("support")).isTrue();

            Run deleted = ctl(h, "config", "delete", "support");
            assertThat(deleted.code()).as(deleted.err()).isZero();
            assertThat(ctl(h, "config", "get", "support").code()).isEqualTo(1);

            assertThat(ctl(h, "config", "set-threshold", "support", "small", "x").code()).isEqualTo(2);
            assertThat(ctl(h, "config", "frobnicate").code()).isEqualTo(2);
        }
    }
}
