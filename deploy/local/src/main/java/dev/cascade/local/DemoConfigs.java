package dev.cascade.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The demo's router and ledger configs with the stack's --shadow-rate and --target applied to the route
 * {@code default}: the router's file route gets {@code shadow_rate} and {@code target_quality}, the ledger's file the
 * same target under {@code quality_targets} (a route that lives only in the router's file has its target there).
 */
final class DemoConfigs {
    private static final YAMLMapper YAML = new YAMLMapper();

    private DemoConfigs() {
    }

    /** The router config (as JSON, which is YAML) with the overrides on route {@code default}. */
    static String router(Path file, Double shadowRate, Double target) throws IOException {
        ObjectNode root = (ObjectNode) YAML.readTree(file.toFile());
        JsonNode route = root.path("routes").path("default");
        if (!route.isObject()) {
            throw new IOException(file + " has no route 'default' for --shadow-rate or --target to apply to");
        }
        if (shadowRate != null) {
            ((ObjectNode) route).put("shadow_rate", shadowRate);
        }
        if (target != null) {
            ((ObjectNode) route).put("target_quality", target);
        }
        return root.toPrettyString();
    }

    /** The ledger config with {@code quality_targets.default.target_quality} set to {@code target}. */
    static String ledger(Path file, double target) throws IOException {
        ObjectNode root = (ObjectNode) YAML.readTree(file.toFile());
        ObjectNode targets = root.path("quality_targets").isObject() ? (ObjectNode) root.get("quality_targets")
                : root.putObject("quality_targets");
        ObjectNode route = targets.path("default").isObject() ? (ObjectNode) targets.get("default")
                : targets.putObject("default");
        route.put("target_quality", target);
        return root.toPrettyString();
    }
}
