package dev.cascade.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cascade.events.Json;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.kafka.SystemTool;
import dev.cascade.ledger.LedgerMain;
import dev.cascade.router.RouterMain;
import dev.cascade.simulator.ModelSimulator;
import dev.cascade.simulator.ModelBehaviour;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus scrapes the real router and ledger (each its own JVM, with the local stack's configs) while a
 * workload runs; every PromQL expression of every Grafana panel and every alert rule is evaluated through
 * Prometheus's HTTP API and must parse and return data; the cost panel's total matches the ledger's exact figure.
 * Needs {@code prometheus} on the PATH (.ci/run installs it); skipped where it is absent, failed under
 * {@code CASCADE_REQUIRE_TOOLS=1} (CI).
 */
class ObservabilityIntegrationTest {
    private static final Path HOME = Path.of(System.getProperty("cascade.home", "../..")).toAbsolutePath().normalize();
    /** Counters registered with every known label value at start (DLQ reasons, verdicts, outcomes per tier). */
    private static final List<String> FRESH_COUNTERS = List.of("router_dlq_total", "router_config_records_total",
            "router_attempts_total", "router_queries_total", "ledger_pricing_records_total");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldEvaluateEveryDashboardAndAlertExpressionAgainstRealScrapes() throws Exception {
        Path prometheus = SystemTool.find("prometheus");
        Assumptions.assumeTrue(prometheus != null, "needs prometheus on the PATH (.ci/run installs it)");
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("cascade.test.dir", "target")), "obs-");
        List<Process> processes = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startFresh(dir.resolve("kafka"));
             ModelSimulator sim = ModelSimulator.start(0, simulatorModels())) {
            String bootstrap = broker.bootstrapServers();
            LocalStackMain.createTopics(bootstrap);
            int routerPort = EmbeddedKafkaBroker.freePort();
            int ledgerPort = EmbeddedKafkaBroker.freePort();
            int promPort = EmbeddedKafkaBroker.freePort();
            Map<String, String> routerEnv = new LinkedHashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                    "KAFKA_STATE_DIR", dir.resolve("router-state").toString(),
                    "CASCADE_ADMIN_PORT", Integer.toString(routerPort)));
            for (String tier : List.of("SMALL", "MEDIUM", "LARGE", "GENERAL")) {
                routerEnv.put("CASCADE_TIER_" + tier + "_BASE_URL", sim.baseUrl() + "/v1");
            }
            processes.add(ChildJvm.start(RouterMain.class.getName(), HOME.resolve("deploy/local/config/router.yaml"),
                    routerEnv, dir.resolve("router.log"), "384m"));
            processes.add(ChildJvm.start(LedgerMain.class.getName(), HOME.resolve("deploy/local/config/ledger.yaml"),
                    Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "KAFKA_STATE_DIR", dir.resolve("ledger-state")
                            .toString(), "LEDGER_HTTP_PORT", Integer.toString(ledgerPort)), dir.resolve("ledger.log"), "384m"));
            awaitOk("http://127.0.0.1:" + routerPort + "/health/ready", dir.resolve("router.log"));
            awaitOk("http://127.0.0.1:" + ledgerPort + "/health/ready", dir.resolve("ledger.log"));
            processes.add(prometheus(prometheus, dir, promPort, routerPort, ledgerPort));

            String prom = "http://127.0.0.1:" + promPort;
            Awaitility.await("both targets up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> query(prom, "sum(up)").path("data").path("result").path(0)
                            .path("value").path(1).asText("0").equals("2"));

            List<String> expressions = new ArrayList<>();
            for (String dashboard : List.of("cascade-cost.json", "cascade-router.json")) {
                JsonNode d = Json.mapper().readTree(HOME.resolve("grafana/dashboards/" + dashboard).toFile());
                for (JsonNode panel : d.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        expressions.add(substitute(target.path("expr").asText()));
                    }
                }
                for (JsonNode v : d.path("templating").path("list")) {
                    Matcher m = Pattern.compile("label_values\\((\\w+), *(\\w+)\\)")
                            .matcher(v.path("definition").asText());
                    assertThat(m.matches()).as(v.toString()).isTrue();
                    expressions.add("count by (" + m.group(2) + ") (" + m.group(1) + ")");
                }
            }
            JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(
                    HOME.resolve("deploy/prometheus/alerts.yml").toFile());
            int alertCount = 0;
            for (JsonNode group : rules.path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    expressions.add(asBool(rule.path("expr").asText()));
                    alertCount++;
                }
            }
            assertThat(expressions).hasSizeGreaterThan(25);
            // on a fresh stack, expressions over counters whose label values are known at start show 0, not no data
            List<String> fresh = expressions.stream().filter(e -> FRESH_COUNTERS.stream().anyMatch(e::contains))
                    .toList();
            assertThat(fresh).hasSizeGreaterThanOrEqualTo(6);
            for (String expr : fresh) {
                awaitData(prom, expr, Duration.ofSeconds(30));
            }

            publishWorkload(bootstrap);
            for (String expr : expressions) {
                awaitData(prom, expr, Duration.ofSeconds(90));
            }
            // Prometheus itself loaded every rule and evaluates it without error
            Awaitility.await("rules healthy").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode groups = get(prom + "/api/v1/rules").path("data").path("groups");
                int healthy = 0;
                for (JsonNode g : groups) {
                    for (JsonNode r : g.path("rules")) {
                        assertThat(r.path("health").asText()).as(r.toString()).isEqualTo("ok");
                        healthy++;
                    }
                }
                assertThat(healthy).isEqualTo(rules.path("groups").findValues("alert").size());
            });
            assertThat(alertCount).isGreaterThanOrEqualTo(5);

            // the cost dashboard's total-spend panel reads the ledger's exact figure (within double rounding)
            String totalPanel = substitute(Json.mapper().readTree(HOME.resolve("grafana/dashboards/cascade-cost.json")
                    .toFile()).path("panels").get(0).path("targets").get(0).path("expr").asText());
            Awaitility.await("panel matches /api/summary").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        BigDecimal exact = get("http://127.0.0.1:" + ledgerPort + "/api/summary")
                                .path("attempts_cost_usd").decimalValue();
                        double panel = query(prom, totalPanel).path("data").path("result").path(0).path("value")
                                .path(1).asDouble(-1);
                        assertThat(exact.signum()).isPositive();
                        assertThat(panel).isCloseTo(exact.doubleValue(),
                                org.assertj.core.data.Offset.offset(1e-9 + exact.doubleValue() * 1e-12));
                    });
        } finally {
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private void awaitData(String prom, String expr, Duration atMost) {
        Awaitility.await(expr).atMost(atMost).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            JsonNode r = query(prom, expr);
            assertThat(r.path("status").asText()).as(expr + " -> " + r).isEqualTo("success");
            assertThat(r.path("data").path("result").size()).as(expr + " returned no data").isPositive();
        });
    }

    private static Map<String, ModelBehaviour> simulatorModels() {
        Map<String, ModelBehaviour> m = new LinkedHashMap<>();
        m.put("small-model", new ModelBehaviour(0.55, 5, 0.88, 0.6, 0.12, 0, ModelBehaviour.Mode.OK, 1000));
        m.put("medium-model", new ModelBehaviour(0.7, 10, 0.85, 0.6, 0.12, 0, ModelBehaviour.Mode.OK, 1000));
        m.put("large-model", new ModelBehaviour(0.85, 20, 0.85, 0.55, 0.15, 0, ModelBehaviour.Mode.OK, 1000));
        m.put("general-model", new ModelBehaviour(0.93, 30, 0.95, 0.8, 0.05, 0, ModelBehaviour.Mode.OK, 1000));
        return m;
    }

    /** Panel variables as Grafana would expand them with "All" selected. */
    static String substitute(String expr) {
        return expr.replace("$__rate_interval", "1m").replace("$route", ".*").replace("$tier", ".*");
    }

    /** "q > 0" becomes "q > bool 0": the same query, returning 0/1 series instead of only firing ones. */
    static String asBool(String alertExpr) {
        Matcher m = Pattern.compile("^(.*\\S)\\s*(>|<|>=|<=|==|!=)\\s*([-0-9.e+]+)$").matcher(alertExpr.trim());
        if (!m.matches()) {
            throw new AssertionError("alert expression not of the form '<query> <op> <number>': " + alertExpr);
        }
        return m.group(1) + " " + m.group(2) + " bool " + m.group(3);
    }

    private void publishWorkload(String bootstrap) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>("cascade.config", "default", "{\"tiers\":[{\"name\":\"small\","
                    + "\"threshold\":0.8},{\"name\":\"medium\",\"threshold\":0.75},{\"name\":\"large\","
                    + "\"threshold\":0.8},{\"name\":\"general\"}]}"));
            p.send(new ProducerRecord<>("cascade.config", "default", "{\"tiers\":[{\"name\":\"small\","
                    + "\"threshold\":1.5},{\"name\":\"general\"}]}"));
            p.send(new ProducerRecord<>("cascade.pricing", "small", "{\"kind\":\"self_hosted\",\"monthly_usd\":-1}"));
            for (int i = 0; i < 300; i++) {
                String id = "obs-" + i;
                p.send(new ProducerRecord<>("cascade.queries", id, "{\"id\":\"" + id + "\",\"prompt\":\"observability "
                        + "question " + i + "\"}"));
                if (i % 25 == 0) {
                    p.send(new ProducerRecord<>("cascade.queries", "bad-" + i, "not json " + i));
                }
                if (i >= 50) {
                    p.send(new ProducerRecord<>("cascade.feedback", "obs-" + (i - 50), "{\"query_id\":\"obs-"
                            + (i - 50) + "\",\"correct\":" + (i % 3 != 0) + "}"));
                }
                if (i % 20 == 0) {
                    p.flush();
                    Thread.sleep(100);
                }
            }
        }
    }

    private Process prometheus(Path executable, Path dir, int port, int routerPort, int ledgerPort)
            throws Exception {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global: {scrape_interval: 1s, evaluation_interval: 1s}",
                "rule_files: [\"" + HOME.resolve("deploy/prometheus/alerts.yml") + "\"]",
                "scrape_configs:",
                "  - job_name: router",
                "    static_configs: [{targets: [\"127.0.0.1:" + routerPort + "\"]}]",
                "  - job_name: ledger",
                "    static_configs: [{targets: [\"127.0.0.1:" + ledgerPort + "\"]}]",
                ""));
        return new ProcessBuilder(executable.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("prometheus-data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    private JsonNode query(String prom, String expr) throws Exception {
        return get(prom + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(r.body());
    }

    private void awaitOk(String url, Path log) {
        Awaitility.await(url).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }
}
