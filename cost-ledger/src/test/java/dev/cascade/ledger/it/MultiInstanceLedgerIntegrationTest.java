package dev.cascade.ledger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.ledger.LedgerApp;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.http.LedgerServer;
import dev.cascade.ledger.metrics.LedgerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two ledger instances share the work; each answers every REST query for the whole cluster, with the API behind a
 * bearer token (which the instances also use between themselves).
 */
class MultiInstanceLedgerIntegrationTest {

    private static LedgerConfig withToken(java.nio.file.Path file, String token) throws Exception {
        java.nio.file.Files.writeString(file, java.nio.file.Files.readString(file)
                + "http_bearer_token_env: LEDGER_TEST_TOKEN\n");
        return LedgerConfig.load(file, Map.of("LEDGER_TEST_TOKEN", token));
    }

    @Test
    void shouldAnswerEveryQueryCorrectlyFromEitherInstance() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startFresh(LedgerTestSupport.testDir()
                .resolve("kafka"))) {
            String s = UUID.randomUUID().toString().substring(0, 8);
            int portA = EmbeddedKafkaBroker.freePort();
            int portB = EmbeddedKafkaBroker.freePort();
            String token = "ledger-token-" + UUID.randomUUID();
            LedgerConfig a = withToken(LedgerTestSupport.configFile(broker, s, "a", portA), token);
            LedgerConfig b = withToken(LedgerTestSupport.configFile(broker, s, "b", portB), token);
            assertThat(a.toString()).doesNotContain(token);
            LedgerTestSupport.createTopics(broker, a);
            try (LedgerApp appA = new LedgerApp(a, new LedgerMetrics(new SimpleMeterRegistry()));
                 LedgerApp appB = new LedgerApp(b, new LedgerMetrics(new SimpleMeterRegistry()));
                 LedgerServer serverA = LedgerServer.start(a, appA.queries(), appA.quality(), appA::pricing,
                         () -> "", () -> true);
                 LedgerServer serverB = LedgerServer.start(b, appB.queries(), appB.quality(), appB::pricing,
                         () -> "", () -> true);
                 KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                         new StringSerializer(), new StringSerializer())) {
                appA.start();
                appB.start();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                        appA.streams().state() == KafkaStreams.State.RUNNING
                                && appB.streams().state() == KafkaStreams.State.RUNNING);
                BigDecimal expected = BigDecimal.ZERO;
                List<String> tiers = List.of("small", "medium", "general", "large");
                for (int i = 0; i < 400; i++) {
                    String tier = tiers.get(i % tiers.size());
                    BigDecimal cost = new BigDecimal(i * 37 + 1).movePointLeft(9);
                    expected = expected.add(cost);
                    producer.send(new ProducerRecord<>(a.topics().attempts(), "q" + i,
                            LedgerTestSupport.attempt("q" + i, tier, "ACCEPTED", cost, 100 + i, 10)));
                }
                producer.flush();
                BigDecimal exact = expected;
                // both instances own some of the route|tier keys
                Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> {
                            assertThat(appA.queries().localTotals()).isNotEmpty();
                            assertThat(appB.queries().localTotals()).isNotEmpty();
                            for (int port : List.of(portA, portB)) {
                                JsonNode summary = LedgerTestSupport.get(port, "/api/summary", token);
                                assertThat(summary.path("attempts_cost_usd").decimalValue())
                                        .isEqualByComparingTo(exact);
                                assertThat(summary.path("answers").asLong()).isEqualTo(400);
                                assertThat(summary.path("tiers")).hasSize(4);
                            }
                        });
                for (String path : List.of("/api/tiers?window=hour", "/api/tiers?window=all&route=default",
                        "/api/breakeven")) {
                    assertThat(LedgerTestSupport.get(portA, path, token))
                            .isEqualTo(LedgerTestSupport.get(portB, path, token));
                }
                // the paired quality estimate of eight routes, whose route|reference keys both instances share
                producer.send(new ProducerRecord<>(a.topics().config(), "route-3", "{\"tiers\":[{\"name\":"
                        + "\"small\",\"threshold\":0.5},{\"name\":\"general\"}],\"target_quality\":0.9}"));
                for (int i = 0; i < 400; i++) {
                    String id = "s" + i;
                    producer.send(new ProducerRecord<>(a.topics().shadow(), id,
                            LedgerTestSupport.shadow(id, "route-" + i % 8, i % 5 == 0 ? "general" : "small",
                                    i % 7 == 0 ? "B" : "A", "A")));
                    producer.send(new ProducerRecord<>(a.topics().feedback(), id, "{\"query_id\":\"" + id
                            + "\",\"correct\":" + (i % 7 != 0 || i % 5 == 0) + "}"));
                    producer.send(new ProducerRecord<>(a.topics().feedback(), id, "{\"query_id\":\"" + id
                            + "\",\"correct\":true,\"tier\":\"general\"}"));
                }
                producer.flush();
                Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> {
                            assertThat(appA.queries().localQualityTotals()).isNotEmpty();
                            assertThat(appB.queries().localQualityTotals()).isNotEmpty();
                            JsonNode routes = LedgerTestSupport.get(portB, "/api/quality?window=all", token)
                                    .path("routes");
                            assertThat(routes).hasSize(8);
                            long judged = 0;
                            for (JsonNode r : routes) {
                                judged += r.path("judged").asLong();
                            }
                            assertThat(judged).isEqualTo(400);
                        });
                for (String path : List.of("/api/quality", "/api/quality?window=hour", "/api/quality?window=day",
                        "/api/quality?window=minute")) {
                    assertThat(LedgerTestSupport.get(portA, path, token))
                            .isEqualTo(LedgerTestSupport.get(portB, path, token));
                }
                JsonNode route3 = LedgerTestSupport.get(portA, "/api/quality?window=day", token).path("routes")
                        .get(3);
                assertThat(route3.path("route").asText()).isEqualTo("route-3");
                assertThat(route3.path("target").asDouble()).isEqualTo(0.9);
                assertThat(route3.path("reference").asText()).isEqualTo("general");
                assertThat(route3.path("samples").asLong()).isEqualTo(50);
                assertThat(route3.path("status").asText()).isIn("OK", "AT_RISK", "BREACHED");
                assertThat(LedgerTestSupport.status(portA, "/api/quality?window=week", "GET", token)).isEqualTo(400);

                JsonNode summary = LedgerTestSupport.get(portA, "/api/summary", token);
                assertThat(summary.path("missing_pricing")).extracting(JsonNode::asText).containsExactly("large");
                // without the token, or with a wrong one, the API refuses; it is read-only either way
                assertThat(LedgerTestSupport.status(portA, "/api/summary", "GET", null)).isEqualTo(401);
                assertThat(LedgerTestSupport.status(portB, "/internal/totals", "GET", "wrong")).isEqualTo(401);
                assertThat(LedgerTestSupport.status(portA, "/api/summary", "POST", token)).isEqualTo(405);
                assertThat(LedgerTestSupport.status(portA, "/health/ready", "GET", null)).isEqualTo(200);
            }
        }
    }
}
