package dev.cascade.ledger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.ledger.LedgerApp;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.http.LedgerServer;
import dev.cascade.ledger.metrics.LedgerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ledger on a real broker, fed through the public topics, queried over its real HTTP API. */
class LedgerIntegrationTest {
    private static EmbeddedKafkaBroker broker;



    private static final int QUERIES = 300;
    private static LedgerConfig config;
    private static int port;
    private static LedgerApp app;
    private static LedgerServer server;
    private static BigDecimal expectedCost = BigDecimal.ZERO;
    private static int smallAnswers;

    @BeforeAll
    static void startLedgerAndPublish() throws Exception {
        broker = EmbeddedKafkaBroker.startFresh(Path.of(System.getProperty("cascade.test.dir", "target"), "kafka"));
        String s = UUID.randomUUID().toString().substring(0, 8);
        port = EmbeddedKafkaBroker.freePort();
        config = LedgerTestSupport.config(broker, s, "a", port);
        LedgerTestSupport.createTopics(broker, config);
        app = new LedgerApp(config, new LedgerMetrics(new SimpleMeterRegistry()));
        server = LedgerServer.start(config, app.queries(), app.quality(), app::pricing, () -> "", () -> true);
        app.start();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            Random random = new Random(7);
            for (int i = 0; i < QUERIES; i++) {
                String id = "q" + i;
                int in = 50 + random.nextInt(500);
                int out = 1 + random.nextInt(100);
                // costs with up to 10 decimals: the sum must come out exact
                BigDecimal smallCost = new BigDecimal(random.nextInt(1_000_000)).movePointLeft(10);
                expectedCost = expectedCost.add(smallCost);
                if (i % 3 == 0) {
                    producer.send(new ProducerRecord<>(config.topics().attempts(), id,
                            LedgerTestSupport.attempt(id, "small", "ESCALATED", smallCost, in, out)));
                    BigDecimal generalCost = new BigDecimal("2.5").multiply(BigDecimal.valueOf(in))
                            .add(new BigDecimal("10").multiply(BigDecimal.valueOf(out))).movePointLeft(6);
                    expectedCost = expectedCost.add(generalCost);
                    producer.send(new ProducerRecord<>(config.topics().attempts(), id,
                            LedgerTestSupport.attempt(id, "general", "ACCEPTED", generalCost, in, out)));
                } else {
                    smallAnswers++;
                    producer.send(new ProducerRecord<>(config.topics().attempts(), id,
                            LedgerTestSupport.attempt(id, "small", "ACCEPTED", smallCost, in, out)));
                }
            }
            producer.send(new ProducerRecord<>(config.topics().attempts(), "junk", "{not json"));
            producer.send(new ProducerRecord<>(config.topics().answers(), "q-failed", "{\"id\":\"q-failed\","
                    + "\"route\":\"default\",\"status\":\"FAILED\",\"cost_usd\":0,\"latency_ms\":5,\"attempts\":[]}"));
            producer.flush();
            // feedback only after the answers are in: it is joined to the tier that answered, however late
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> LedgerTestSupport.getOrNull(port, "/api/summary") != null && LedgerTestSupport.getOrNull(port, "/api/summary").path("answers").asLong() == QUERIES);
            for (int i = 0; i < QUERIES; i += 10) {
                producer.send(new ProducerRecord<>(config.topics().feedback(), "q" + i,
                        "{\"query_id\":\"q" + i + "\",\"correct\":" + (i % 20 == 0) + "}"));
            }
            // 60 shadow-sampled queries on route "default": both answers judged, small right on 50 of 54
            for (int i = 0; i < 60; i++) {
                String id = "s" + i;
                boolean bySmall = i < 54;
                producer.send(new ProducerRecord<>(config.topics().shadow(), id, LedgerTestSupport.shadow(id,
                        "default", bySmall ? "small" : "general", bySmall && i >= 50 ? "B" : "A", "A")));
                producer.send(new ProducerRecord<>(config.topics().feedback(), id, "{\"query_id\":\"" + id
                        + "\",\"tier\":\"general\",\"correct\":true}"));
                producer.send(new ProducerRecord<>(config.topics().feedback(), id, "{\"query_id\":\"" + id
                        + "\",\"tier\":\"small\",\"correct\":" + !(i >= 50 && i < 54) + "}"));
            }
            producer.send(new ProducerRecord<>(config.topics().feedback(), "ghost",
                    "{\"query_id\":\"ghost\",\"correct\":true}"));
            producer.send(new ProducerRecord<>(config.topics().feedback(), "bad", "{\"query_id\":\"x\"}"));
        }
    }

    @AfterAll
    static void stopLedger() {
        if (server != null) {
            server.close();
        }
        if (app != null) {
            app.close();
        }
        broker.close();
    }

    @Test
    void shouldAggregateExactCostJoinLateFeedbackAndServeTheVerdict() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode summary = LedgerTestSupport.get(port, "/api/summary");
            assertThat(summary.path("attempts_cost_usd").decimalValue()).isEqualByComparingTo(expectedCost);
            assertThat(summary.path("answers").asLong()).isEqualTo(QUERIES);
            assertThat(summary.path("failed_answers").asLong()).isEqualTo(1);
            long feedback = 0;
            for (JsonNode t : summary.path("tiers")) {
                feedback += t.path("feedback").asLong();
            }
            assertThat(feedback).isEqualTo(QUERIES / 10);
        });
        JsonNode summary = LedgerTestSupport.get(port, "/api/summary");
        assertThat(summary.path("fixed_cost_usd").decimalValue()).isPositive();
        assertThat(summary.path("total_cost_usd").decimalValue()).isEqualByComparingTo(
                summary.path("attempts_cost_usd").decimalValue().add(summary.path("fixed_cost_usd").decimalValue()));
        assertThat(summary.path("verdict").asText()).containsAnyOf("pays off now", "does not pay off");
        JsonNode small = null;
        for (JsonNode t : summary.path("tiers")) {
            if (t.path("tier").asText().equals("small")) {
                small = t;
            }
        }
        assertThat(small).isNotNull();
        assertThat(small.path("answers").asLong()).isEqualTo(smallAnswers);
        assertThat(small.path("calls").path("ESCALATED").asLong()).isEqualTo(QUERIES / 3);
        assertThat(small.path("latency_p99_ms").asLong()).isBetween(20L, 80L);
        assertThat(small.path("kind").asText()).isEqualTo("self_hosted");
        // q0, q20, q40... were judged correct, q10, q30... wrong; q0 was answered by general, q10 by small...
        assertThat(small.path("accuracy").isNumber()).isTrue();

        JsonNode windows = LedgerTestSupport.get(port, "/api/tiers?window=minute&route=default");
        assertThat(windows.size()).isGreaterThanOrEqualTo(2);
        JsonNode breakeven = LedgerTestSupport.get(port, "/api/breakeven");
        assertThat(breakeven.path("tiers").get(0).path("tier").asText()).isEqualTo("small");
        assertThat(breakeven.path("chart")).hasSize(21);

        List<ConsumerRecord<byte[], byte[]>> dlq = LedgerTestSupport.read(broker, config.topics().dlq(), 2);
        assertThat(dlq).hasSize(2);
        assertThat(dlq).allSatisfy(r -> assertThat(r.headers().lastHeader("cascade.dlq.reason")).isNotNull());
        List<ConsumerRecord<byte[], byte[]>> unmatched = LedgerTestSupport.read(broker, config.topics().unmatchedFeedback(), 1);
        assertThat(unmatched).hasSize(1);
        assertThat(new String(unmatched.get(0).value(), StandardCharsets.UTF_8)).contains("ghost");
    }

    @Test
    void shouldServeThePairedQualityEstimateOfShadowSamples() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode routes = LedgerTestSupport.get(port, "/api/quality").path("routes");
            assertThat(routes).hasSize(1);
            assertThat(routes.get(0).path("judged").asLong()).isEqualTo(60);
        });
        JsonNode q = LedgerTestSupport.get(port, "/api/quality?window=all").path("routes").get(0);
        assertThat(q.path("route").asText()).isEqualTo("default");
        assertThat(q.path("reference").asText()).isEqualTo("general");
        assertThat(q.path("samples").asLong()).isEqualTo(60);
        // the served answer is small's on s0-s53 (wrong on s50-s53), general's on s54-s59: 56 of 60 right
        assertThat(q.path("ratio").asDouble()).isEqualTo(56 / 60.0);
        assertThat(q.path("agreement").asDouble()).isEqualTo(56 / 60.0);
        assertThat(q.path("ratio_low").asDouble()).isLessThan(56 / 60.0);
        assertThat(q.path("ratio_high").asDouble()).isGreaterThan(56 / 60.0);
        assertThat(q.path("target").isNull()).isTrue();
        assertThat(q.path("status").asText()).isEqualTo("INSUFFICIENT_DATA");
        assertThat(q.path("sentence").asText()).contains("no target_quality");
        assertThat(LedgerTestSupport.get(port, "/api/quality?window=hour").path("routes").get(0).path("judged")
                .asLong()).isEqualTo(60);
        // a target published on the config topic applies at once, with no restart
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>(config.topics().config(), "default", "{\"tiers\":[{\"name\":\"small\","
                    + "\"threshold\":0.8},{\"name\":\"general\"}],\"target_quality\":0.5}")).get();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(LedgerTestSupport
                .get(port, "/api/quality").path("routes").get(0).path("status").asText()).isEqualTo("OK"));
        JsonNode small = LedgerTestSupport.get(port, "/api/summary").path("tiers");
        for (JsonNode t : small) {
            assertThat(t.path("accuracy_basis").asText()).isEqualTo("on the queries it served");
        }
    }

    @Test
    void shouldApplyValidPricingLiveRejectBadPricingAndReportBoth() throws Exception {
        String topic = config.topics().pricing();
        String status = config.topics().pricingStatus();
        JsonNode ok = LedgerTestSupport.publishAndAwaitStatus(broker, topic, status, "small",
                "{\"kind\":\"self_hosted\",\"monthly_usd\":10,\"tuning_usd\":100}");
        assertThat(ok.path("status").asText()).isEqualTo("ACCEPTED");
        assertThat(ok.path("effective_pricing").path("monthly_usd").decimalValue()).isEqualByComparingTo("10");
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(smallVerdict().path("monthly_fixed_usd").decimalValue()).isEqualByComparingTo("10.00"));

        Map<String, String> bad = Map.of(
                "{\"kind\":\"self_hosted\",\"monthly_usd\":-5}", "-5",
                "{\"kind\":\"self_hosted\",\"monthly_usd\":5,\"colour\":\"red\"}", "colour",
                "{\"kind\":\"self_hosted\"}", "never priced as $0",
                "%%garbage", "not a JSON pricing record");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            JsonNode rejected = LedgerTestSupport.publishAndAwaitStatus(broker, topic, status, "small", e.getKey());
            assertThat(rejected.path("status").asText()).as(e.getKey()).isEqualTo("REJECTED");
            assertThat(rejected.path("reason").asText()).as(e.getKey()).contains(e.getValue());
            assertThat(rejected.path("effective_pricing").path("monthly_usd").decimalValue())
                    .isEqualByComparingTo("10");
        }
        JsonNode reference = LedgerTestSupport.publishAndAwaitStatus(broker, topic, status, "general",
                "{\"kind\":\"self_hosted\",\"monthly_usd\":5}");
        assertThat(reference.path("status").asText()).isEqualTo("REJECTED");
        assertThat(smallVerdict().path("monthly_fixed_usd").decimalValue()).isEqualByComparingTo("10.00");

        // a tombstone returns the tier to the config file's pricing: 1.10 x 2 GPUs x 730.5 h + 100 maintenance
        assertThat(LedgerTestSupport.publishAndAwaitStatus(broker, topic, status, "small", null)
                .path("status").asText()).isEqualTo("ACCEPTED");
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(smallVerdict().path("monthly_fixed_usd").decimalValue()).isEqualByComparingTo("1707.10"));
    }

    private static JsonNode smallVerdict() throws Exception {
        for (JsonNode t : LedgerTestSupport.get(port, "/api/breakeven").path("tiers")) {
            if (t.path("tier").asText().equals("small")) {
                return t;
            }
        }
        throw new AssertionError("no verdict for small");
    }

    @Test
    void shouldDrawCostAndBreakEvenChartsWithDataInHeadlessChromium() throws Exception {
        Path chromium = dev.cascade.kafka.SystemTool.find("chromium");
        Assumptions.assumeTrue(chromium != null, "needs chromium on the PATH (.ci/run installs it)");
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> LedgerTestSupport.getOrNull(port, "/api/summary") != null
                && LedgerTestSupport.getOrNull(port, "/api/summary").path("answers").asLong() == QUERIES
                && LedgerTestSupport.getOrNull(port, "/api/quality") != null
                && LedgerTestSupport.getOrNull(port, "/api/quality").path("routes").path(0).path("judged")
                .asLong() == 60);
        Path profile = Files.createTempDirectory(Path.of(System.getProperty("cascade.test.dir", "target")), "chrome");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=15000", "--dump-dom",
                "http://127.0.0.1:" + port + "/").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(dom).contains("data-loaded=\"true\"");
        java.util.regex.Matcher cost = java.util.regex.Pattern
                .compile("id=\"cost-chart\"[^>]*data-series=\"(\\d+)\"[^>]*data-points=\"(\\d+)\"").matcher(dom);
        assertThat(cost.find()).as(dom).isTrue();
        assertThat(Integer.parseInt(cost.group(1))).as("one line per tier").isEqualTo(2);
        assertThat(Integer.parseInt(cost.group(2))).isPositive();
        java.util.regex.Matcher be = java.util.regex.Pattern
                .compile("id=\"breakeven-chart\"[^>]*data-series=\"(\\d+)\"[^>]*data-points=\"(\\d+)\"").matcher(dom);
        assertThat(be.find()).isTrue();
        assertThat(Integer.parseInt(be.group(1))).isEqualTo(2);
        assertThat(Integer.parseInt(be.group(2))).isEqualTo(42);
        assertThat(dom).contains("polyline").contains("all general API");
        java.util.regex.Matcher quality = java.util.regex.Pattern.compile("id=\"quality\" data-routes=\"(\\d+)\"")
                .matcher(dom);
        assertThat(quality.find()).as(dom).isTrue();
        assertThat(Integer.parseInt(quality.group(1))).isEqualTo(1);
        assertThat(dom).contains("accuracy on the queries it served").contains("keeps 93.3 % of general");
        if (!LedgerTestSupport.get(port, "/api/breakeven").path("break_even_queries_per_month").isNull()) {
            assertThat(dom).contains("id=\"breakeven-mark\"");
        }
    }

}
