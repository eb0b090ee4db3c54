package dev.cascade.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.cascade.events.TopicNames;
import dev.cascade.gateway.config.GatewayConfig;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.config.TierConfig;
import dev.cascade.router.http.AdminServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * Keeps deploy/compose and deploy/k8s consistent with the code (they cannot run here): every environment variable
 * they set is one the services read and its value loads; every port, probe path, file and topic they name exists.
 */
class DeploymentConsistencyTest {
    private static final Path HOME = Path.of(System.getProperty("cascade.home", "../..")).toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> OTHER_ENV = Set.of("SERVICE", "JAVA_OPTS", "POD_NAME", "CASCADE_ADMIN_PORT",
            "LEDGER_HTTP_PORT");

    private static List<JsonNode> docs(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (YAMLParser p = new YAMLFactory().createParser(file.toFile())) {
            out.addAll(YAML.readValues(p, JsonNode.class).readAll());
        }
        return out;
    }

    private static Set<String> kafkaSettings() {
        Set<String> names = new HashSet<>(StreamsConfig.configDef().names());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(ProducerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return names;
    }

    /** Every variable is read by the service and the service's config loads with them. */
    private static void checkEnv(String service, Map<String, String> env, Path routerConfig, Path ledgerConfig,
                                 Set<String> secrets) {
        Set<String> kafka = kafkaSettings();
        RouterConfig router = RouterConfig.load(routerConfig, Map.of());
        for (String key : env.keySet()) {
            if (key.startsWith("KAFKA_")) {
                assertThat(kafka).as(service + ": " + key).contains(key.substring(6).toLowerCase(Locale.ROOT)
                        .replace('_', '.'));
            } else if (key.startsWith("CASCADE_TIER_")) {
                assertThat(router.tiers().keySet().stream().anyMatch(t -> key.startsWith(TierConfig.envPrefix(t))
                        && TierConfig.ENV_FIELDS.contains(key.substring(TierConfig.envPrefix(t).length()))))
                        .as(service + ": " + key + " names no tier field of " + routerConfig).isTrue();
            } else {
                assertThat(OTHER_ENV.contains(key) || secrets.contains(key)).as(service + ": unknown variable " + key)
                        .isTrue();
            }
        }
        Map<String, String> resolved = new LinkedHashMap<>(env);
        resolved.replaceAll((k, v) -> v.replace("$(POD_NAME)", "pod-0"));
        if (service.contains("router")) {
            assertThat(RouterConfig.load(routerConfig, resolved).adminPort())
                    .isEqualTo(Integer.parseInt(env.get("CASCADE_ADMIN_PORT")));
        } else {
            assertThat(LedgerConfig.load(ledgerConfig, resolved).httpPort())
                    .isEqualTo(Integer.parseInt(env.get("LEDGER_HTTP_PORT")));
        }
    }

    /** Every variable is read by the gateway and its config loads with them (a secret stands in for the keys). */
    private static void checkGatewayEnv(String where, Map<String, String> env, Path config) {
        Set<String> kafka = kafkaSettings();
        for (String key : env.keySet()) {
            if (key.startsWith("KAFKA_")) {
                assertThat(kafka).as(where + ": " + key).contains(key.substring(6).toLowerCase(Locale.ROOT)
                        .replace('_', '.'));
            } else {
                assertThat(GatewayConfig.ENV.contains(key) || OTHER_ENV.contains(key))
                        .as(where + ": unknown variable " + key).isTrue();
            }
        }
        Map<String, String> resolved = new LinkedHashMap<>(env);
        resolved.replaceAll((k, v) -> v.replace("$(POD_NAME)", "pod-0"));
        resolved.put("GATEWAY_API_KEYS", "tenant=key");
        GatewayConfig c = GatewayConfig.load(config, resolved);
        assertThat(c.httpPort()).isEqualTo(Integer.parseInt(env.get("GATEWAY_HTTP_PORT")));
        assertThat(c.replyTopic()).as("the router's default reply_to allow-list").startsWith("cascade.answers.");
    }

    private static Set<String> contractTopics() {
        TopicNames t = TopicNames.defaults();
        LedgerConfig.Topics l = LedgerConfig.Topics.defaults();
        return new TreeSet<>(List.of(t.queries(), t.answers(), t.attempts(), t.feedback(), t.config(),
                t.configStatus(), t.dlq(), t.shadow(), l.unmatchedFeedback(), l.dlq(), l.pricing(), l.pricingStatus()));
    }

    @Test
    void composeNamesOnlyWhatExists() throws Exception {
        Path compose = HOME.resolve("deploy/compose/docker-compose.yml");
        JsonNode services = YAML.readTree(compose.toFile()).path("services");
        Path router = HOME.resolve("deploy/local/config/router.yaml");
        Path ledger = HOME.resolve("deploy/local/config/ledger.yaml");
        for (String name : List.of("router", "ledger")) {
            JsonNode s = services.path(name);
            Map<String, String> env = YAML.convertValue(s.path("environment"), Map.class);
            checkEnv("compose " + name, env, router, ledger, Set.of());
            String port = env.getOrDefault("CASCADE_ADMIN_PORT", env.get("LEDGER_HTTP_PORT"));
            assertThat(s.path("ports").get(0).asText()).isEqualTo(port + ":" + port);
            assertThat(Files.exists(HOME.resolve(s.path("build").path("dockerfile").asText()))).isTrue();
        }
        JsonNode gateway = services.path("gateway");
        Map<String, String> gatewayEnv = YAML.convertValue(gateway.path("environment"), Map.class);
        checkGatewayEnv("compose gateway", gatewayEnv, HOME.resolve("deploy/compose/gateway.yaml"));
        assertThat(gateway.path("ports").get(0).asText()).isEqualTo(gatewayEnv.get("GATEWAY_HTTP_PORT") + ":"
                + gatewayEnv.get("GATEWAY_HTTP_PORT"));
        assertThat(services.path("simulator").path("ports").get(0).asText()).isEqualTo(
                YAML.readTree(HOME.resolve("deploy/local/config/simulator.yaml").toFile()).path("port").asText()
                        + ":8090");
        // topics created by the init container are exactly the contract's
        Matcher m = Pattern.compile("(?m)^\\s*t (\\S+)").matcher(services.path("topics").path("command").get(0)
                .asText());
        Set<String> created = new TreeSet<>();
        while (m.find()) {
            created.add(m.group(1));
        }
        assertThat(created).isEqualTo(contractTopics());
        // mounted host paths exist, and Prometheus scrapes the services' real ports and loads the rules it mounts
        for (JsonNode s : services) {
            for (JsonNode v : s.path("volumes")) {
                String src = v.asText().split(":")[0];
                if (src.startsWith(".")) {
                    assertThat(Files.exists(compose.getParent().resolve(src))).as(v.asText()).isTrue();
                }
            }
        }
        JsonNode prom = YAML.readTree(HOME.resolve("deploy/compose/prometheus.yml").toFile());
        assertThat(prom.path("rule_files").get(0).asText()).isEqualTo("/etc/prometheus/alerts.yml");
        List<String> targets = new ArrayList<>();
        prom.path("scrape_configs").forEach(c -> targets.add(c.path("static_configs").get(0).path("targets").get(0)
                .asText()));
        assertThat(targets).containsExactlyInAnyOrder("router:8081", "ledger:8082", "gateway:8080");
        // every COPY source of the Dockerfile exists
        for (String line : Files.readAllLines(HOME.resolve("deploy/compose/Dockerfile"))) {
            if (line.startsWith("COPY ") && !line.contains("--from")) {
                String src = line.split("\\s+")[1];
                assertThat(Files.exists(HOME.resolve(src))).as(line).isTrue();
            }
        }
    }

    @Test
    void kubernetesManifestsNameOnlyWhatExists() throws Exception {
        Path dir = HOME.resolve("deploy/k8s");
        Path router = dir.resolve("config/router.yaml");
        Path ledger = dir.resolve("config/ledger.yaml");
        Set<String> secrets = new HashSet<>();
        RouterConfig.load(router, Map.of()).tiers().values().forEach(t -> {
            if (t.apiKeyEnv() != null) {
                secrets.add(t.apiKeyEnv());
            }
        });
        Set<String> probePaths = new TreeSet<>();
        Set<String> gatewayPaths = new TreeSet<>();
        for (String file : List.of("router.yaml", "ledger.yaml")) {
            for (JsonNode doc : docs(dir.resolve(file))) {
                if (doc.path("kind").asText().equals("StatefulSet")) {
                    JsonNode c = doc.path("spec").path("template").path("spec").path("containers").get(0);
                    Map<String, String> env = new LinkedHashMap<>();
                    c.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText("")));
                    checkEnv("k8s " + file, env, router, ledger, secrets);
                    String port = env.getOrDefault("CASCADE_ADMIN_PORT", env.get("LEDGER_HTTP_PORT"));
                    assertThat(c.path("ports").get(0).path("containerPort").asText()).isEqualTo(port);
                    String portName = c.path("ports").get(0).path("name").asText();
                    for (String probe : List.of("readinessProbe", "livenessProbe")) {
                        assertThat(c.path(probe).path("httpGet").path("port").asText()).isEqualTo(portName);
                        probePaths.add(c.path(probe).path("httpGet").path("path").asText());
                    }
                    assertThat(c.path("volumeMounts").findValuesAsText("mountPath"))
                            .contains(env.get("KAFKA_STATE_DIR").replace("/state", ""));
                    assertThat(c.path("resources").path("requests").has("memory")).isTrue();
                }
                if (doc.path("kind").asText().equals("ServiceMonitor")) {
                    assertThat(doc.path("spec").path("endpoints").get(0).path("path").asText()).isEqualTo("/metrics");
                    probePaths.add("/metrics");
                }
            }
        }
        for (JsonNode doc : docs(dir.resolve("gateway.yaml"))) {
            if (doc.path("kind").asText().equals("Deployment")) {
                JsonNode c = doc.path("spec").path("template").path("spec").path("containers").get(0);
                Map<String, String> env = new LinkedHashMap<>();
                c.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText("")));
                checkGatewayEnv("k8s gateway.yaml", env, dir.resolve("config/gateway.yaml"));
                assertThat(c.path("ports").get(0).path("containerPort").asText()).isEqualTo(env.get(
                        "GATEWAY_HTTP_PORT"));
                String portName = c.path("ports").get(0).path("name").asText();
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    assertThat(c.path(probe).path("httpGet").path("port").asText()).isEqualTo(portName);
                    gatewayPaths.add(c.path(probe).path("httpGet").path("path").asText());
                }
                assertThat(c.path("resources").path("requests").has("memory")).isTrue();
            }
            if (doc.path("kind").asText().equals("ServiceMonitor")) {
                gatewayPaths.add(doc.path("spec").path("endpoints").get(0).path("path").asText());
            }
        }
        assertThat(gatewayPaths).containsExactlyInAnyOrder("/health/ready", "/health/live", "/metrics");
        // the probe and scrape paths are served by the real admin server
        try (AdminServer admin = AdminServer.start(0, () -> new AdminServer.Health(true, "{}"),
                () -> new AdminServer.Health(true, "{}"), () -> "")) {
            HttpClient http = HttpClient.newHttpClient();
            for (String path : probePaths) {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port()
                        + path)).build(), HttpResponse.BodyHandlers.discarding());
                assertThat(r.statusCode()).as(path).isEqualTo(200);
            }
        }
        Set<String> topics = new TreeSet<>();
        for (JsonNode doc : docs(dir.resolve("topics.yaml"))) {
            assertThat(doc.path("kind").asText()).isEqualTo("KafkaTopic");
            topics.add(doc.path("spec").path("topicName").asText());
        }
        assertThat(topics).isEqualTo(contractTopics());
        JsonNode kustomize = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
        kustomize.path("resources").forEach(r -> assertThat(Files.exists(dir.resolve(r.asText()))).isTrue());
        kustomize.path("configMapGenerator").forEach(g -> g.path("files").forEach(f -> {
            String src = f.asText().contains("=") ? f.asText().split("=", 2)[1] : f.asText();
            assertThat(Files.exists(dir.resolve(src))).as(f.asText()).isTrue();
        }));
    }
}
