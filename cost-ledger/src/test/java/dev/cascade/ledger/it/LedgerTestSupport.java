package dev.cascade.ledger.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.ledger.config.LedgerConfig;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Shared pieces of the ledger's integration tests: config files, attempt records, HTTP and topic reads. */
final class LedgerTestSupport {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LedgerTestSupport() {
    }

    static Path testDir() {
        return Path.of(System.getProperty("cascade.test.dir", "target"));
    }

    /** Writes a ledger config for topics suffixed {@code suffix}; {@code instance} separates state directories. */
    static Path configFile(EmbeddedKafkaBroker broker, String suffix, String instance, int port) throws Exception {
        Path file = testDir().resolve("ledger-" + suffix + "-" + instance + ".yaml");
        Files.writeString(file, String.join("\n",
                "kafka:",
                "  bootstrap.servers: " + broker.bootstrapServers(),
                "  application.id: ledger-" + suffix,
                "  state.dir: " + testDir().resolve("ledger-state-" + suffix + "-" + instance),
                "  application.server: 127.0.0.1:" + port,
                "topics: {attempts: att-" + suffix + ", answers: ans-" + suffix + ", feedback: fb-" + suffix
                        + ", unmatched_feedback: fbu-" + suffix + ", dlq: ldlq-" + suffix + ", pricing: pr-" + suffix
                        + ", pricing_status: prs-" + suffix + ", shadow: sh-" + suffix + ", config: cfg-" + suffix
                        + "}",
                "http_port: " + port,
                "reference_tier: general",
                "pricing:",
                "  small: {kind: self_hosted, gpu_hour_usd: 1.10, instances: 2, maintenance_monthly_usd: 100,"
                        + " tuning_usd: 2000}",
                "  medium: {kind: self_hosted, monthly_usd: 900}",
                "  general: {kind: api, input_usd_per_1m_tokens: 2.50, output_usd_per_1m_tokens: 10.00}",
                ""));
        return file;
    }

    static LedgerConfig config(EmbeddedKafkaBroker broker, String suffix, String instance, int port)
            throws Exception {
        return LedgerConfig.load(configFile(broker, suffix, instance, port), Map.of());
    }

    static void createTopics(EmbeddedKafkaBroker broker, LedgerConfig config) {
        broker.createTopics(2, List.of(config.topics().attempts(), config.topics().answers(),
                config.topics().feedback(), config.topics().unmatchedFeedback(), config.topics().dlq(),
                config.topics().shadow()));
        broker.createTopics(List.of(
                new org.apache.kafka.clients.admin.NewTopic(config.topics().pricing(), 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact")),
                new org.apache.kafka.clients.admin.NewTopic(config.topics().pricingStatus(), 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact")),
                new org.apache.kafka.clients.admin.NewTopic(config.topics().config(), 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact"))));
    }

    static String attempt(String id, String tier, String outcome, BigDecimal cost, int in, int out) {
        return "{\"query_id\":\"" + id + "\",\"route\":\"default\",\"tier\":\"" + tier + "\",\"model\":\"m\","
                + "\"outcome\":\"" + outcome + "\",\"confidence\":0.9,\"threshold\":0.8,\"prompt_tokens\":" + in
                + ",\"completion_tokens\":" + out + ",\"latency_ms\":" + (20 + in % 50) + ",\"cost_usd\":"
                + cost.toPlainString() + ",\"shadow\":false,\"timestamp\":" + System.currentTimeMillis() + "}";
    }

    /** A shadow record of a query on tiers small and general, now, with each tier's answer text. */
    static String shadow(String id, String route, String servedTier, String smallAnswer, String generalAnswer) {
        String small = "\"small\":{\"model\":\"s\",\"answer\":\"" + smallAnswer + "\",\"confidence\":0.7,"
                + "\"cost_usd\":0.001,\"served\":" + servedTier.equals("small") + "}";
        String general = "\"general\":{\"model\":\"g\",\"answer\":\"" + generalAnswer + "\",\"confidence\":null,"
                + "\"cost_usd\":0.01,\"served\":" + servedTier.equals("general") + "}";
        return "{\"id\":\"" + id + "\",\"route\":\"" + route + "\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"q\"}],\"tiers\":[\"small\",\"general\"],\"served_tier\":\"" + servedTier + "\",\"timestamp\":"
                + System.currentTimeMillis() + ",\"outcomes\":{" + small + "," + general + "}}";
    }

    /** GET a JSON document, or null when the ledger does not answer 200 (yet). */
    static JsonNode getOrNull(int port, String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Json.mapper().readTree(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    static JsonNode get(int port, String path) throws Exception {
        return get(port, path, null);
    }

    /** GET with a bearer token (null for none); fails on any status but 200. */
    static JsonNode get(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return Json.mapper().readTree(r.body());
    }

    static int status(int port, String path, String method, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static String text(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Publishes a settings record and returns the status record written for it. */
    static JsonNode publishAndAwaitStatus(EmbeddedKafkaBroker broker, String topic, String statusTopic, String key,
                                          String value) throws Exception {
        long offset;
        try (org.apache.kafka.clients.producer.KafkaProducer<String, String> p =
                     new org.apache.kafka.clients.producer.KafkaProducer<>(Map.of("bootstrap.servers",
                             broker.bootstrapServers()), new org.apache.kafka.common.serialization.StringSerializer(),
                             new org.apache.kafka.common.serialization.StringSerializer())) {
            offset = p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, key, value)).get().offset();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : read(broker, statusTopic, (int) offset + 1)) {
                JsonNode status = Json.mapper().readTree(r.value());
                if (status.path("config_offset").asLong(-1) == offset) {
                    return status;
                }
            }
        }
        throw new AssertionError("no status record for " + key + " at offset " + offset);
    }

    static List<ConsumerRecord<byte[], byte[]>> read(EmbeddedKafkaBroker broker, String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            c.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }
}
