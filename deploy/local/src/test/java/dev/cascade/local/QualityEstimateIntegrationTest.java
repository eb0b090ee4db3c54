package dev.cascade.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.core.CallResult;
import dev.cascade.core.Decision;
import dev.cascade.core.RoutePolicy;
import dev.cascade.core.TierStep;
import dev.cascade.events.Json;
import dev.cascade.events.TopicNames;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.ledger.LedgerMain;
import dev.cascade.router.RouterMain;
import dev.cascade.simulator.ModelSimulator;
import dev.cascade.simulator.Replay;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The paired quality estimate end to end on a real broker, on a cascade-outcomes file the test generates (its truth
 * is known): the replay simulator serves recorded answers, the router (its own JVM) cascades and shadow-samples, the
 * stack's judge judges served and shadow answers from the recorded correctness, the ledger (its own JVM) estimates,
 * and a real Prometheus scrapes the ledger with the repository's alert rules. Four routes of the same queries:
 * {@code full} (shadow_rate 1: the live ratio equals the offline ratio), {@code sampled} (shadow_rate 0.2: its 95 %
 * interval covers the truth), {@code holds} (a policy above its target: OK) and {@code falls} (a live policy below
 * its target: AT_RISK while evidence is thin, then BREACHED, with both alerts firing).
 */
class QualityEstimateIntegrationTest {
    private static final Path HOME = Path.of(System.getProperty("cascade.home", "../..")).toAbsolutePath().normalize();
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final int QUERIES = 400;
    private static final List<String> MODELS = List.of("tiny", "mid", "big");
    /** Thresholds off the file's 4-decimal confidence grid, so no recorded confidence sits exactly on one. */
    private static final List<TierStep> GOOD = List.of(new TierStep("tiny", 0.65005), new TierStep("mid", 0.55005),
            new TierStep("big", null));
    private static final List<TierStep> POOR = List.of(new TierStep("tiny", 0.35005), new TierStep("mid", 0.25005),
            new TierStep("big", null));
    private final HttpClient http = HttpClient.newHttpClient();

    /** One recorded query: each model's answer ("A" right, "B" wrong) and confidence. */
    private record Recorded(String id, Map<String, Boolean> right, Map<String, Double> confidence) {
    }

    @Test
    void shouldEstimateTheQualityRatioExactlyCoverTheTruthAndRaiseAtRiskThenBreached() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "needs Debian's prometheus (.ci/run installs it)");
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("cascade.test.dir", "target")), "quality-");
        List<Recorded> file = generate(QUERIES, 11);
        Path outcomes = write(dir.resolve("outcomes.jsonl"), file);
        double truthGood = offlineRatio(file, GOOD);
        double truthPoor = offlineRatio(file, POOR);
        System.out.printf(Locale.ROOT, "offline ratio: good policy %.6f, poor policy %.6f%n", truthGood, truthPoor);
        assertThat(truthGood - truthPoor).as("the poor policy must be clearly worse").isGreaterThan(0.08);
        double holdsTarget = Math.floor((truthGood - 0.2) * 100) / 100;
        double fallsTarget = Math.min(1.0, Math.ceil((truthPoor + 0.08) * 100) / 100);

        List<Process> processes = new ArrayList<>();
        Replay.Price price = new Replay.Price(new BigDecimal("0.01"), new BigDecimal("0.01"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startFresh(dir.resolve("kafka"));
             ModelSimulator sim = ModelSimulator.start(0, Map.of(), Replay.load(outcomes,
                     Map.of("tiny", price, "mid", price, "big", price), 0));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                     broker.bootstrapServers(), "linger.ms", 5), new StringSerializer(), new StringSerializer())) {
            String bootstrap = broker.bootstrapServers();
            LocalStackMain.createTopics(bootstrap);
            // the live policies, on the config topic before the router and the ledger start
            policy(producer, "full", GOOD, 1.0, truthGood - 0.2);
            policy(producer, "sampled", GOOD, 0.2, truthGood - 0.2);
            policy(producer, "holds", GOOD, 1.0, holdsTarget);
            policy(producer, "falls", POOR, 1.0, fallsTarget);
            producer.flush();

            int routerPort = EmbeddedKafkaBroker.freePort();
            int ledgerPort = EmbeddedKafkaBroker.freePort();
            int promPort = EmbeddedKafkaBroker.freePort();
            processes.add(ChildJvm.start(RouterMain.class.getName(), Files.writeString(dir.resolve("router.yaml"),
                    routerConfig(sim.baseUrl())), Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "KAFKA_STATE_DIR",
                    dir.resolve("router-state").toString(), "CASCADE_ADMIN_PORT", Integer.toString(routerPort),
                    "QUALITY_TEST_SHADOW_KEY", "quality-test-sampling-key-0123456789"),
                    dir.resolve("router.log"), "384m"));
            processes.add(ChildJvm.start(LedgerMain.class.getName(), Files.writeString(dir.resolve("ledger.yaml"),
                    LEDGER_CONFIG), Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "KAFKA_STATE_DIR",
                    dir.resolve("ledger-state").toString(), "LEDGER_HTTP_PORT", Integer.toString(ledgerPort)),
                    dir.resolve("ledger.log"), "384m"));
            awaitOk("http://127.0.0.1:" + routerPort + "/health/ready");
            awaitOk("http://127.0.0.1:" + ledgerPort + "/health/ready");
            processes.add(prometheus(dir, promPort, ledgerPort));
            String prom = "http://127.0.0.1:" + promPort;
            String ledger = "http://127.0.0.1:" + ledgerPort;

            try (Judge judge = new Judge(bootstrap, TopicNames.FEEDBACK,
                    (id, tier, answer) -> answer.isEmpty() ? null : answer.equals("A"))) {
                Tally tally = new Tally(bootstrap, TopicNames.ANSWERS, TopicNames.ATTEMPTS, TopicNames.DLQ,
                        TopicNames.SHADOW, judge::acceptAnswer, judge::acceptShadow);
                Thread reader = new Thread(tally, "tally");
                reader.setDaemon(true);
                reader.start();
                try {
                    // shadow_rate 1: every query paired, the ratio is the offline one to the last digit
                    for (Recorded q : file) {
                        query(producer, "full", q);
                        query(producer, "sampled", q);
                    }
                    producer.flush();
                    JsonNode full = awaitRoute(ledger, "full", r -> r.path("judged").asLong() == QUERIES);
                    System.out.printf(Locale.ROOT, "full: live ratio %.6f, offline %.6f%n",
                            full.path("ratio").asDouble(), truthGood);
                    assertThat(String.format(Locale.ROOT, "%.4f", full.path("ratio").asDouble()))
                            .isEqualTo(String.format(Locale.ROOT, "%.4f", truthGood));
                    assertThat(full.path("samples").asLong()).isEqualTo(QUERIES);

                    // shadow_rate 0.2: about a fifth of the queries, and the interval covers the truth; done when
                    // every query is answered and the ledger has counted and paired every shadow record seen
                    Awaitility.await("all answered").atMost(Duration.ofSeconds(120))
                            .until(() -> tally.answeredIds.size() >= 2 * QUERIES);
                    JsonNode[] last = new JsonNode[1];
                    Awaitility.await("sampled counted").atMost(Duration.ofSeconds(120)).during(Duration.ofSeconds(2))
                            .pollInterval(Duration.ofMillis(300)).ignoreExceptions().until(() -> {
                                last[0] = route(get(ledger + "/api/quality?window=all"), "sampled");
                                long samples = last[0].path("samples").asLong();
                                return samples > 0 && last[0].path("judged").asLong() == samples
                                        && tally.shadows.get() == QUERIES + samples;
                            });
                    JsonNode sampled = last[0];
                    System.out.printf(Locale.ROOT, "sampled: %d pairs, ratio %.4f [%.4f, %.4f], truth %.4f%n",
                            sampled.path("judged").asLong(), sampled.path("ratio").asDouble(),
                            sampled.path("ratio_low").asDouble(), sampled.path("ratio_high").asDouble(), truthGood);
                    assertThat(sampled.path("judged").asLong()).isBetween(50L, 120L);
                    assertThat(sampled.path("ratio_low").asDouble()).isLessThanOrEqualTo(truthGood);
                    assertThat(sampled.path("ratio_high").asDouble()).isGreaterThanOrEqualTo(truthGood);

                    // the falling route turns AT_RISK while evidence is thin, then BREACHED; the holding one is OK
                    List<String> falls = new ArrayList<>();
                    List<String> holds = new ArrayList<>();
                    boolean atRiskAlerted = false;
                    for (int batch = 0; batch < QUERIES / 20; batch++) {
                        for (Recorded q : file.subList(batch * 20, batch * 20 + 20)) {
                            query(producer, "holds", q);
                            query(producer, "falls", q);
                        }
                        producer.flush();
                        long expected = batch * 20L + 20;
                        awaitRoute(ledger, "falls", r -> r.path("judged").asLong() == expected);
                        JsonNode holding = awaitRoute(ledger, "holds", r -> r.path("judged").asLong() == expected);
                        JsonNode falling = route(get(ledger + "/api/quality?window=day"), "falls");
                        record(falls, falling.path("status").asText());
                        record(holds, holding.path("status").asText());
                        if (!atRiskAlerted && falling.path("status").asText().equals("AT_RISK")) {
                            awaitAlert(prom, "CascadeQualityAtRisk", "falls");
                            atRiskAlerted = true;
                        }
                        if (falling.path("status").asText().equals("BREACHED") && expected >= 200) {
                            break; // evidence enough: the rest of the file would not change either status
                        }
                    }
                    System.out.println("falls: " + falls + " (target " + fallsTarget + ", truth " + truthPoor
                            + "); holds: " + holds + " (target " + holdsTarget + ")");
                    assertThat(falls).containsExactly("INSUFFICIENT_DATA", "AT_RISK", "BREACHED");
                    assertThat(holds).containsExactly("INSUFFICIENT_DATA", "OK");
                    awaitAlert(prom, "CascadeQualityBreached", "falls");
                    JsonNode alerts = get(prom + "/api/v1/alerts").path("data").path("alerts");
                    for (JsonNode a : alerts) {
                        assertThat(a.path("labels").path("route").asText()).as(a.toString()).isNotEqualTo("holds");
                    }
                } finally {
                    tally.stop();
                }
            }
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

    /** Queries with a difficulty shared by the models (harder ones are wrong for more of them at once). */
    private static List<Recorded> generate(int n, long seed) {
        Random random = new Random(seed);
        double[] accuracy = {0.6, 0.8, 0.92};
        double[][] rightRange = {{0.6, 1.0}, {0.5, 1.0}, {0.5, 1.0}};
        double[][] wrongRange = {{0.0, 0.7}, {0.1, 0.6}, {0.5, 1.0}};
        List<Recorded> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double difficulty = random.nextDouble();
            Map<String, Boolean> right = new LinkedHashMap<>();
            Map<String, Double> confidence = new LinkedHashMap<>();
            for (int m = 0; m < MODELS.size(); m++) {
                boolean r = difficulty * 0.5 + random.nextDouble() * 0.5 < accuracy[m];
                double[] range = r ? rightRange[m] : wrongRange[m];
                right.put(MODELS.get(m), r);
                confidence.put(MODELS.get(m), Math.round((range[0] + random.nextDouble() * (range[1] - range[0]))
                        * 1e4) / 1e4);
            }
            out.add(new Recorded("gen-" + i, right, confidence));
        }
        return out;
    }

    private static Path write(Path path, List<Recorded> file) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Recorded q : file) {
            ObjectNode line = Json.mapper().createObjectNode().put("id", q.id()).put("task", "generated");
            line.putArray("messages").addObject().put("role", "user").put("content", question(q));
            line.put("gold", "A");
            ObjectNode o = line.putObject("outcomes");
            for (String m : MODELS) {
                o.putObject(m).put("answer", q.right().get(m) ? "A" : "B").put("correct", q.right().get(m))
                        .put("confidence", q.confidence().get(m)).put("prompt_tokens", 40)
                        .put("completion_tokens", 1).put("latency_ms", 5).put("cost_usd", new BigDecimal("0.000001"));
            }
            sb.append(line).append('\n');
        }
        return Files.writeString(path, sb.toString());
    }

    private static String question(Recorded q) {
        return "Generated question " + q.id() + ": A or B?";
    }

    /** Served accuracy over the reference's (the last tier's) on the whole file, by the router's own rule. */
    private static double offlineRatio(List<Recorded> file, List<TierStep> tiers) {
        RoutePolicy policy = new RoutePolicy("offline", tiers);
        long served = 0;
        long reference = 0;
        for (Recorded q : file) {
            for (int i = 0; i < tiers.size(); i++) {
                String tier = tiers.get(i).tier();
                if (Decision.decide(policy, i, CallResult.answered(q.confidence().get(tier))).action()
                        == Decision.Action.ANSWER) {
                    served += q.right().get(tier) ? 1 : 0;
                    break;
                }
            }
            reference += q.right().get("big") ? 1 : 0;
        }
        return served / (double) reference;
    }

    private static void policy(KafkaProducer<String, String> p, String route, List<TierStep> tiers,
                               double shadowRate, double target) {
        ObjectNode policy = Json.mapper().createObjectNode();
        ArrayNode steps = policy.putArray("tiers");
        for (TierStep s : tiers) {
            ObjectNode step = steps.addObject().put("name", s.tier());
            if (s.threshold() != null) {
                step.put("threshold", s.threshold());
            }
        }
        policy.put("shadow_rate", shadowRate).put("target_quality", target).put("reference", "big");
        p.send(new ProducerRecord<>(TopicNames.CONFIG, route, policy.toString()));
    }

    private static void query(KafkaProducer<String, String> p, String route, Recorded q) {
        String id = route + "-" + q.id();
        ObjectNode value = Json.mapper().createObjectNode().put("id", id).put("route", route);
        value.putArray("messages").addObject().put("role", "user").put("content", question(q));
        p.send(new ProducerRecord<>(TopicNames.QUERIES, id, value.toString()));
    }

    private static String routerConfig(String simulator) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.putObject("kafka").put("application.id", "quality-router").put("processing.guarantee",
                "exactly_once_v2").put("commit.interval.ms", 100);
        // a fixed sampling key: the sample (HMAC of the id) and so this run's interval are the same every time
        root.putObject("router").put("shadow_key_env", "QUALITY_TEST_SHADOW_KEY");
        ObjectNode tiers = root.putObject("tiers");
        for (String m : MODELS) {
            tiers.putObject(m).put("kind", "openai").put("base_url", simulator + "/v1").put("model", m)
                    .put("timeout_ms", 30_000).put("max_in_flight", 512).put("confidence", "logprobs")
                    .putObject("pricing").put("input_usd_per_1m_tokens", "0.01").put("output_usd_per_1m_tokens",
                            "0.01");
        }
        return root.toPrettyString();
    }

    private static final String LEDGER_CONFIG = String.join("\n",
            "kafka: {application.id: quality-ledger, processing.guarantee: exactly_once_v2}",
            "reference_tier: big",
            "pricing:",
            "  tiny: {kind: api, input_usd_per_1m_tokens: 0.01, output_usd_per_1m_tokens: 0.01}",
            "  mid: {kind: api, input_usd_per_1m_tokens: 0.01, output_usd_per_1m_tokens: 0.01}",
            "  big: {kind: api, input_usd_per_1m_tokens: 0.01, output_usd_per_1m_tokens: 0.01}",
            "");

    /** The statuses a route went through, each once, in order. */
    private static void record(List<String> statuses, String status) {
        if (statuses.isEmpty() || !statuses.get(statuses.size() - 1).equals(status)) {
            statuses.add(status);
        }
    }

    private JsonNode awaitRoute(String ledger, String route, java.util.function.Predicate<JsonNode> done) {
        JsonNode[] last = new JsonNode[1];
        Awaitility.await(route + " in /api/quality").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(300)).ignoreExceptions().untilAsserted(() -> {
                    last[0] = route(get(ledger + "/api/quality?window=all"), route);
                    assertThat(done.test(last[0])).as(String.valueOf(last[0])).isTrue();
                });
        return last[0];
    }

    private static JsonNode route(JsonNode quality, String route) {
        for (JsonNode r : quality.path("routes")) {
            if (r.path("route").asText().equals(route)) {
                return r;
            }
        }
        throw new AssertionError("no route " + route + " in " + quality);
    }

    private void awaitAlert(String prom, String alert, String route) {
        Awaitility.await(alert + " firing for " + route).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                    boolean firing = false;
                    for (JsonNode a : get(prom + "/api/v1/alerts").path("data").path("alerts")) {
                        firing |= a.path("labels").path("alertname").asText().equals(alert)
                                && a.path("labels").path("route").asText().equals(route)
                                && a.path("state").asText().equals("firing");
                    }
                    assertThat(firing).isTrue();
                });
    }

    /** Prometheus scraping the ledger each second with the repository's rules, their "for" durations cut to 0s. */
    private Process prometheus(Path dir, int port, int ledgerPort) throws Exception {
        Path rules = Files.writeString(dir.resolve("alerts.yml"), Files.readString(HOME.resolve(
                "deploy/prometheus/alerts.yml")).replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 0s"));
        Path config = Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                "global: {scrape_interval: 1s, evaluation_interval: 1s}",
                "rule_files: [\"" + rules + "\"]",
                "scrape_configs:",
                "  - job_name: ledger",
                "    static_configs: [{targets: [\"127.0.0.1:" + ledgerPort + "\"]}]",
                ""));
        return new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("prometheus-data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return Json.mapper().readTree(r.body());
    }

    private void awaitOk(String url) {
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
