package dev.cascade.router.processor;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import dev.cascade.router.cascade.PolicyParser;
import dev.cascade.router.metrics.RouterMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports on every record of the config topic: a status record (key = route) with {@code ACCEPTED} or
 * {@code REJECTED}, the reason, the config record's partition and offset, and the policy in effect for the route
 * afterwards (the last good one when a record is refused); plus a metric and, for refusals, a log line. Uses the same
 * {@link PolicyParser} as the routing table, so what it reports is what routing applies.
 */
public final class ConfigStatusProcessor implements Processor<String, byte[], String, byte[]> {
    public static final String STORE = "accepted-policies";
    private static final Logger LOG = LoggerFactory.getLogger(ConfigStatusProcessor.class);

    private final PolicyParser parser;
    private final RouterMetrics metrics;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, String> accepted;

    public ConfigStatusProcessor(PolicyParser parser, RouterMetrics metrics) {
        this.parser = parser;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.accepted = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String route = record.key();
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put("route", route);
        context.recordMetadata().ifPresent(m -> {
            status.put("config_partition", m.partition());
            status.put("config_offset", m.offset());
        });
        status.put("timestamp", context.currentSystemTimeMs());
        if (route == null) {
            metrics.configRecord(false);
            LOG.warn("config record without a key (route name) at {} refused", offsetOf(status));
            return;
        }
        if (record.value() == null) {
            accepted.delete(route);
            status.put("status", "ACCEPTED").put("reason", "route removed (tombstone)");
            status.putNull("effective_policy");
            metrics.configRecord(true);
        } else {
            PolicyParser.Result result = parser.parse(route, record.value());
            if (result instanceof PolicyParser.Result.Valid v) {
                String json = PolicyParser.toJson(v.policy()).toString();
                accepted.put(route, json);
                status.put("status", "ACCEPTED");
                metrics.configRecord(true);
            } else {
                String reason = ((PolicyParser.Result.Invalid) result).reason();
                status.put("status", "REJECTED").put("reason", reason);
                metrics.configRecord(false);
                LOG.warn("config record for route '{}' at {} rejected: {}; the last good policy stays", route,
                        offsetOf(status), reason);
            }
            String effective = accepted.get(route);
            if (effective == null) {
                status.putNull("effective_policy");
            } else {
                try {
                    status.set("effective_policy", Json.mapper().readTree(effective));
                } catch (IOException e) {
                    throw new IllegalStateException("accepted-policies store holds unreadable JSON for " + route, e);
                }
            }
        }
        context.forward(new Record<>(route, status.toString().getBytes(StandardCharsets.UTF_8),
                context.currentSystemTimeMs()));
    }

    private static String offsetOf(ObjectNode status) {
        return "partition " + status.path("config_partition").asText("?") + " offset "
                + status.path("config_offset").asText("?");
    }
}
