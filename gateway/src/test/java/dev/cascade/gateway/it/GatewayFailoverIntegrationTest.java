package dev.cascade.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Two gateway processes share the load; one is killed with SIGKILL mid-run. Every request to the survivor is
 * answered, each with its own answer; every query either gateway published is answered exactly once (read_committed,
 * over both reply topics), those of the killed instance included.
 */
class GatewayFailoverIntegrationTest {
    static final String KEY = "sk-failover";
    static final int REQUESTS = 120;

    @Test
    void shouldAnswerEverySurvivingRequestAndNoQueryTwiceWhenAGatewayIsKilled() throws Exception {
        try (CascadeStack stack = new CascadeStack()) {
            Map<String, String> env = Map.of("GATEWAY_API_KEYS", "acme=" + KEY);
            try (GatewayProcess a = GatewayProcess.start(stack.gatewayDoc("a"), EmbeddedKafkaBroker.freePort(), env,
                    "a"); GatewayProcess b = GatewayProcess.start(stack.gatewayDoc("b"),
                    EmbeddedKafkaBroker.freePort(), env, "b")) {
                List<CompletableFuture<HttpResponse<String>>> toA = new ArrayList<>();
                List<CompletableFuture<HttpResponse<String>>> toB = new ArrayList<>();
                int killAt = REQUESTS / 2;
                int inFlightAtKill = 0;
                for (int i = 0; i < REQUESTS; i++) {
                    if (i == killAt) {
                        inFlightAtKill = (int) toB.stream().filter(f -> !f.isDone()).count();
                        b.kill();
                    }
                    boolean even = i % 2 == 0;
                    (even ? toA : toB).add(send(even ? a.port : b.port, i));
                    Thread.sleep(25);
                }
                CompletableFuture.allOf(toA.stream().map(f -> f.exceptionally(e -> null))
                        .toArray(CompletableFuture[]::new)).get();
                Set<String> answeredToA = new HashSet<>();
                for (CompletableFuture<HttpResponse<String>> f : toA) {
                    HttpResponse<String> r = f.get();
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    JsonNode body = Json.mapper().readTree(r.body());
                    assertThat(body.path("choices").get(0).path("message").path("content").asText()).isNotBlank();
                    answeredToA.add(body.path("cascade").path("query_id").asText());
                }
                assertThat(answeredToA).as("each request its own answer").hasSize(toA.size());
                assertThat(inFlightAtKill).as("the kill came under load").isPositive();
                long failedOnB = toB.stream().filter(f -> f.handle((r, e) -> e != null).join()).count();
                assertThat(failedOnB).isGreaterThanOrEqualTo(toB.size() - killAt / 2);

                Set<String> published = new HashSet<>(ids(stack, List.of(stack.topics.queries()), false));
                assertThat(published).containsAll(answeredToA);
                String prefix = "cascade.answers.gw" + stack.suffix + "-";
                List<String> replyTopics = List.of(prefix + "a", prefix + "b");
                org.awaitility.Awaitility.await("every published query answered").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> new HashSet<>(ids(stack, replyTopics, true)).containsAll(published));
                Map<String, Integer> answers = new HashMap<>();
                ids(stack, replyTopics, true).forEach(id -> answers.merge(id, 1, Integer::sum));
                assertThat(answers.keySet()).isEqualTo(published);
                assertThat(answers.values()).as("no query answered twice").allMatch(n -> n == 1);
            }
        }
    }

    private static CompletableFuture<HttpResponse<String>> send(int port, int i) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(Http.chat("default", "Question " + i + "?", false)))
                .build();
        return Http.CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Keys of every record on the topics, from the beginning to their current end. */
    private static List<String> ids(CascadeStack stack, List<String> topics, boolean committedOnly) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts = new ArrayList<>();
            topics.forEach(t -> c.partitionsFor(t).forEach(p ->
                    parts.add(new org.apache.kafka.common.TopicPartition(t, p.partition()))));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.key(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}
