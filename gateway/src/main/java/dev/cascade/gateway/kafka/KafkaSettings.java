package dev.cascade.gateway.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Picks, from the configured Kafka settings, those a client of one kind understands (no unknown-config noise). */
final class KafkaSettings {
    private KafkaSettings() {
    }

    static Map<String, Object> only(Map<String, String> kafka, Set<String> names) {
        Map<String, Object> out = new HashMap<>();
        kafka.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
