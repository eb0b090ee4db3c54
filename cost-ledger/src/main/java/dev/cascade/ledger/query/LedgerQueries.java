package dev.cascade.ledger.query;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.cascade.events.Json;
import dev.cascade.events.RouteTier;
import dev.cascade.ledger.model.QualityCounts;
import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.topology.LedgerTopology;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * Interactive queries over the ledger's stores across every instance: this instance's stores are read directly,
 * the other instances' (found through Kafka Streams' metadata) over their {@code /internal/...} endpoints, and the
 * parts merged. Keys have one owner each, so the parts do not overlap. Thread-safe.
 */
public final class LedgerQueries {
    private final KafkaStreams streams;
    private final HostInfo self;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String bearerToken;

    /** @param bearerToken sent to the other instances when the API is protected, else null */
    public LedgerQueries(KafkaStreams streams, HostInfo self, String bearerToken) {
        this.streams = streams;
        this.self = self;
        this.bearerToken = bearerToken;
    }

    /** All-time aggregates by {@link RouteTier#key()}, from every instance. */
    public Map<String, TierStats> totals() {
        Map<String, TierStats> out = new TreeMap<>(localTotals());
        for (HostInfo h : others(LedgerTopology.TOTALS)) {
            out.putAll(remote(h, "/internal/totals", new TypeReference<Map<String, TierStats>>() { }));
        }
        return out;
    }

    public Map<String, TierStats> localTotals() {
        Map<String, TierStats> out = new TreeMap<>();
        ReadOnlyKeyValueStore<String, TierStats> store = streams.store(StoreQueryParameters.fromNameAndType(
                LedgerTopology.TOTALS, QueryableStoreTypes.keyValueStore()));
        try (KeyValueIterator<String, TierStats> it = store.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    /** Failed answers by route, from every instance. */
    public Map<String, Long> failedByRoute() {
        Map<String, Long> out = new TreeMap<>(localFailed());
        for (HostInfo h : others(LedgerTopology.FAILED)) {
            out.putAll(remote(h, "/internal/failed", new TypeReference<Map<String, Long>>() { }));
        }
        return out;
    }

    public Map<String, Long> localFailed() {
        Map<String, Long> out = new TreeMap<>();
        ReadOnlyKeyValueStore<String, Long> store = streams.store(StoreQueryParameters.fromNameAndType(
                LedgerTopology.FAILED, QueryableStoreTypes.keyValueStore()));
        try (KeyValueIterator<String, Long> it = store.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    /** Windows of the given size ("minute", "hour", "day"), from every instance, oldest first, then by route and tier. */
    public List<WindowRow> windows(String window) {
        List<WindowRow> out = new ArrayList<>(localWindows(window));
        for (HostInfo h : others(LedgerTopology.windowStore(window))) {
            out.addAll(remote(h, "/internal/windows?window=" + window, new TypeReference<List<WindowRow>>() { }));
        }
        out.sort(java.util.Comparator.comparingLong(WindowRow::start).thenComparing(WindowRow::route)
                .thenComparing(WindowRow::tier));
        return out;
    }

    public List<WindowRow> localWindows(String window) {
        if (!LedgerTopology.WINDOWS.containsKey(window)) {
            throw new IllegalArgumentException("window must be one of minute, hour, day; got '" + window + "'");
        }
        List<WindowRow> out = new ArrayList<>();
        ReadOnlyWindowStore<String, TierStats> store = streams.store(StoreQueryParameters.fromNameAndType(
                LedgerTopology.windowStore(window), QueryableStoreTypes.windowStore()));
        try (KeyValueIterator<Windowed<String>, TierStats> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Windowed<String>, TierStats> kv = it.next();
                RouteTier key = RouteTier.parse(kv.key.key());
                out.add(new WindowRow(key.route(), key.tier(), kv.key.window().start(), kv.key.window().end(),
                        kv.value));
            }
        }
        return out;
    }

    /** All-time paired quality counts by {@code route|reference}, from every instance. */
    public Map<String, QualityCounts> qualityTotals() {
        Map<String, QualityCounts> out = new TreeMap<>(localQualityTotals());
        for (HostInfo h : others(LedgerTopology.QUALITY_TOTALS)) {
            out.putAll(remote(h, "/internal/quality-totals", new TypeReference<Map<String, QualityCounts>>() { }));
        }
        return out;
    }

    public Map<String, QualityCounts> localQualityTotals() {
        return local(LedgerTopology.QUALITY_TOTALS);
    }

    /** The quality buckets of a size ("minute", "hour") kept by every instance. */
    public List<QualityCounts> qualityBuckets(String size) {
        List<QualityCounts> out = new ArrayList<>(localQualityBuckets(size).values());
        for (HostInfo h : others(LedgerTopology.qualityStore(checkBucket(size)))) {
            out.addAll(remote(h, "/internal/quality-buckets?size=" + size,
                    new TypeReference<Map<String, QualityCounts>>() { }).values());
        }
        return out;
    }

    public Map<String, QualityCounts> localQualityBuckets(String size) {
        return local(LedgerTopology.qualityStore(checkBucket(size)));
    }

    private Map<String, QualityCounts> local(String storeName) {
        Map<String, QualityCounts> out = new TreeMap<>();
        ReadOnlyKeyValueStore<String, QualityCounts> store = streams.store(StoreQueryParameters.fromNameAndType(
                storeName, QueryableStoreTypes.keyValueStore()));
        try (KeyValueIterator<String, QualityCounts> it = store.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    private static String checkBucket(String size) {
        if (!LedgerTopology.QUALITY_BUCKETS.contains(size)) {
            throw new IllegalArgumentException("bucket size must be one of " + LedgerTopology.QUALITY_BUCKETS
                    + "; got '" + size + "'");
        }
        return size;
    }

    private List<HostInfo> others(String store) {
        List<HostInfo> hosts = new ArrayList<>();
        for (StreamsMetadata m : streams.streamsMetadataForStore(store)) {
            if (!m.hostInfo().equals(self)) {
                hosts.add(m.hostInfo());
            }
        }
        return hosts;
    }

    private <T> T remote(HostInfo host, String path, TypeReference<T> type) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + path);
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
            if (bearerToken != null) {
                request.header("Authorization", "Bearer " + bearerToken);
            }
            HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("ledger instance " + uri + " answered HTTP " + r.statusCode());
            }
            return Json.mapper().readValue(r.body(), type);
        } catch (IOException e) {
            throw new IllegalStateException("ledger instance " + uri + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted querying " + uri, e);
        }
    }
}
