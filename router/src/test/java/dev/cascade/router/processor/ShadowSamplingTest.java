package dev.cascade.router.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.core.RouteTable;
import dev.cascade.router.client.ModelReply;
import dev.cascade.router.client.ModelRequest;
import dev.cascade.router.config.ConfigException;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tiers;
import dev.cascade.router.topology.RouterTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which queries are shadowed is not the producer's choice: ids chosen to land under the sampling rate of an
 * unkeyed hash (CRC32, what the router used to use) are sampled at the route's rate like any others.
 */
class ShadowSamplingTest {
    private static final double RATE = 0.05;

    /** Ids a producer can find in milliseconds whose CRC32 falls under {@code rate}. */
    static List<String> idsUnderUnkeyedHash(int n, double rate) {
        List<String> out = new ArrayList<>();
        for (long i = 0; out.size() < n; i++) {
            String id = "chosen-" + i;
            CRC32 crc = new CRC32();
            crc.update(id.getBytes(StandardCharsets.UTF_8));
            if (crc.getValue() / (double) (1L << 32) < rate) {
                out.add(id);
            }
        }
        return out;
    }

    /** Sends {@code ids} through the production topology and gives the ids whose in-flight entry is sampled. */
    static List<String> sampled(Map<String, Object> router, List<String> ids) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tiers", Map.of(
                "small", Map.of("base_url", "http://unused/v1", "model", "s"),
                "general", Map.of("base_url", "http://unused/v1", "model", "g", "confidence", "none")));
        doc.put("routes", Map.of("default", Map.of("shadow_rate", RATE, "tiers", List.of(
                Map.of("name", "small", "threshold", 0.8), Map.of("name", "general")))));
        doc.put("router", router);
        RouterConfig config = RouterConfig.from(doc, Map.of(), "test");
        Tiers tiers = Tiers.withClients(config.tiers().values(),
                name -> (ModelRequest request) -> new CompletableFuture<ModelReply>(), null);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sampling-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(RouterTopology.build(config,
                RouteTable.of(config.routes()), tiers,
                new RouterMetrics(new SimpleMeterRegistry(), tiers, config.routes().keySet())), props)) {
            TestInputTopic<byte[], byte[]> queries = driver.createInputTopic("cascade.queries",
                    new ByteArraySerializer(), new ByteArraySerializer());
            for (String id : ids) {
                queries.pipeInput(id.getBytes(StandardCharsets.UTF_8),
                        ("{\"id\":\"" + id + "\",\"prompt\":\"q\"}").getBytes(StandardCharsets.UTF_8));
            }
            KeyValueStore<String, InFlight> store = driver.getKeyValueStore(CascadeProcessor.STORE);
            List<String> out = new ArrayList<>();
            int[] entries = {0};
            try (var it = store.all()) {
                it.forEachRemaining(kv -> {
                    entries[0]++;
                    if (kv.value.shadow()) {
                        out.add(kv.value.id());
                    }
                });
            }
            assertThat(entries[0]).as("every query in flight").isEqualTo(ids.size());
            return out;
        }
    }

    @Test
    void shouldNotLetAProducerChooseWhichQueriesAreShadowed() {
        List<String> chosen = idsUnderUnkeyedHash(200, RATE);
        // binomial(200, 0.05): mean 10; more than 30 has a probability below 1e-7
        assertThat(sampled(Map.of(), chosen)).as("sampled among 200 ids chosen by the producer").hasSizeLessThan(30);
    }

    @Test
    void shouldNotLetAProducerChooseWithAKeyEither(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("shadow.key");
        Files.writeString(key, "0123456789abcdef0123456789abcdef\n");
        List<String> chosen = idsUnderUnkeyedHash(200, RATE);
        assertThat(sampled(Map.of("shadow_key_file", key.toString()), chosen)).hasSizeLessThan(30);
    }

    @Test
    void shouldSampleAnIdTheSameWayOnEveryInstanceWithTheSameKeyAndAtTheRate() {
        byte[] key = "a-shared-secret-of-32-characters".getBytes(StandardCharsets.UTF_8);
        ShadowSampler one = ShadowSampler.keyed(key);
        ShadowSampler other = ShadowSampler.keyed(key.clone());
        ShadowSampler otherKey = ShadowSampler.keyed("another-secret-of-32-characters!".getBytes(StandardCharsets.UTF_8));
        int sampled = 0;
        int differ = 0;
        for (int i = 0; i < 20_000; i++) {
            String id = "q-" + i;
            boolean s = one.sampled(id, RATE);
            assertThat(other.sampled(id, RATE)).as(id).isEqualTo(s);
            sampled += s ? 1 : 0;
            differ += s != otherKey.sampled(id, RATE) ? 1 : 0;
        }
        // binomial(20000, 0.05): mean 1000, standard deviation 31
        assertThat(sampled).isBetween(850, 1150);
        assertThat(differ).as("another key samples other ids").isGreaterThan(1500);
        assertThat(one.sampled("x", 0.0)).isFalse();
        assertThat(one.sampled("x", 1.0)).isTrue();
    }

    @Test
    void shouldDrawAtTheRateWithoutAKey() {
        ShadowSampler sampler = ShadowSampler.unkeyed();
        int sampled = 0;
        for (int i = 0; i < 20_000; i++) {
            sampled += sampler.sampled("same-id", RATE) ? 1 : 0;
        }
        assertThat(sampled).isBetween(850, 1150);
    }

    @Test
    void shouldTakeTheKeyOnlyFromTheEnvironmentOrAFileAndNeverShowIt() {
        Map<String, Object> tiers = Map.of("general", Map.of("base_url", "http://unused/v1", "model", "g",
                "confidence", "none"));
        String secret = "env-secret-0123456789abcdef";
        RouterConfig fromEnv = RouterConfig.from(Map.of("tiers", tiers, "router", Map.of("shadow_key_env",
                "SHADOW_KEY")), Map.of("SHADOW_KEY", secret), "test");
        assertThat(fromEnv.shadowKey().bytes()).isEqualTo(secret.getBytes(StandardCharsets.UTF_8));
        assertThat(fromEnv.toString()).doesNotContain(secret);
        assertThat(RouterConfig.from(Map.of("tiers", tiers), Map.of(), "test").shadowKey()).isNull();
        for (Map<String, Object> router : List.<Map<String, Object>>of(Map.of("shadow_key", secret),
                Map.of("shadow_key_env", "UNSET_KEY"), Map.of("shadow_key_env", "SHORT_KEY"))) {
            assertThatThrownBy(() -> RouterConfig.from(Map.of("tiers", tiers, "router", router),
                    Map.of("SHORT_KEY", "too-short"), "test")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("router.shadow_key").hasMessageNotContaining(secret);
        }
    }
}
