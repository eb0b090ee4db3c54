package dev.cascade.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a route policy record of the config topic against the deployment's tiers. Pure and thread-safe; the
 * router's live table, the status processor and the CLI use the same rules.
 *
 * <p>The value: {@code {"tiers":[{"name":"small","threshold":0.82},{"name":"general"}],"shadow_rate":0.0,
 * "target_quality":0.97,"reference":"general","deadline_ms":2000}} ({@code shadow_rate}, {@code target_quality},
 * {@code reference} and {@code deadline_ms} optional; {@code deadline_ms} is the route's default deadline).
 */
public final class PolicyParser {
    private static final Pattern ROUTE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Set<String> POLICY_FIELDS = Set.of("tiers", "shadow_rate", "target_quality", "reference",
            "deadline_ms");
    private static final Set<String> STEP_FIELDS = Set.of("name", "threshold");

    /** Either a valid policy or why the record is refused. */
    public sealed interface Result {
        /** An accepted policy. */
        record Valid(RoutePolicy policy) implements Result {
        }

        /** A refused record and the reason, naming the rejected value. */
        record Invalid(String reason) implements Result {
        }
    }

    private final Set<String> knownTiers;
    private final Set<String> withoutConfidence;

    public PolicyParser(Set<String> knownTiers) {
        this(knownTiers, Set.of());
    }

    /**
     * @param withoutConfidence tiers that measure no confidence ({@code none}); before the last place they need
     *                          threshold 0, or every call to them would be paid for and never used
     */
    public PolicyParser(Set<String> knownTiers, Set<String> withoutConfidence) {
        this.knownTiers = knownTiers == null ? null : Set.copyOf(knownTiers);
        this.withoutConfidence = Set.copyOf(withoutConfidence);
    }

    /**
     * The same rules for a reader that does not know the deployment's tiers (the cost ledger, which needs only a
     * route's {@code target_quality} and {@code reference}): any tier name is accepted, everything else is checked.
     */
    public static PolicyParser anyTier() {
        return new PolicyParser(null, Set.of());
    }

    /** Why a tier measuring no confidence cannot hold this place, or null when it can. */
    public static String confidenceProblem(TierStep step, boolean terminal, Set<String> withoutConfidence) {
        if (!terminal && withoutConfidence.contains(step.tier()) && step.threshold() != null
                && step.threshold() > 0) {
            return "tier '" + step.tier() + "' measures no confidence (confidence: none): before the last place it "
                    + "needs threshold 0, got " + step.threshold() + " (it would escalate every answer)";
        }
        return null;
    }

    public Result parse(String route, byte[] value) {
        if (route == null || !ROUTE_NAME.matcher(route).matches()) {
            return invalid("route name (the record key) must match " + ROUTE_NAME.pattern() + ", got "
                    + (route == null ? "no key" : "'" + route + "'"));
        }
        if (value == null) {
            return invalid("a tombstone is not a policy");
        }
        JsonNode root;
        try (JsonParser p = Json.mapper().createParser(value)) {
            root = Json.mapper().readTree(p);
            if (root != null && p.nextToken() != null) {
                return invalid("not a JSON policy: trailing content");
            }
        } catch (IOException e) {
            return invalid("not a JSON policy: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            return invalid("a policy must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!POLICY_FIELDS.contains(f)) {
                return invalid("unknown field '" + f + "' (known: tiers, shadow_rate, target_quality, reference, "
                        + "deadline_ms)");
            }
        }
        JsonNode shadow = root.get("shadow_rate");
        double shadowRate = 0;
        if (shadow != null && !shadow.isNull()) {
            if (!shadow.isNumber() || shadow.asDouble() < 0 || shadow.asDouble() > 1) {
                return invalid("shadow_rate must be a number in [0, 1], got " + shadow);
            }
            shadowRate = shadow.asDouble();
        }
        JsonNode target = root.get("target_quality");
        Double targetQuality = null;
        if (target != null && !target.isNull()) {
            if (!target.isNumber() || !(target.asDouble() > 0 && target.asDouble() <= 1)) {
                return invalid("target_quality must be a number in (0, 1] (the share of the reference's accuracy "
                        + "to keep), got " + target);
            }
            targetQuality = target.asDouble();
        }
        JsonNode referenceNode = root.get("reference");
        String reference = null;
        if (referenceNode != null && !referenceNode.isNull()) {
            if (!referenceNode.isTextual()) {
                return invalid("reference must be a tier name, got " + referenceNode);
            }
            reference = referenceNode.asText();
        }
        JsonNode deadline = root.get("deadline_ms");
        Long deadlineMs = null;
        if (deadline != null && !deadline.isNull()) {
            if (!deadline.isIntegralNumber() || !deadline.canConvertToLong() || deadline.asLong() < 1
                    || deadline.asLong() > RoutePolicy.MAX_DEADLINE_MS) {
                return invalid("deadline_ms must be a whole number of milliseconds in [1, "
                        + RoutePolicy.MAX_DEADLINE_MS + "], got " + deadline);
            }
            deadlineMs = deadline.asLong();
        }
        JsonNode tiers = root.get("tiers");
        if (tiers == null || !tiers.isArray() || tiers.isEmpty()) {
            return invalid("'tiers' must be a non-empty array");
        }
        List<TierStep> steps = new ArrayList<>();
        for (int i = 0; i < tiers.size(); i++) {
            JsonNode step = tiers.get(i);
            if (!step.isObject()) {
                return invalid("tiers[" + i + "] must be an object");
            }
            for (Iterator<String> it = step.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!STEP_FIELDS.contains(f)) {
                    return invalid("tiers[" + i + "]: unknown field '" + f + "' (known: name, threshold)");
                }
            }
            JsonNode name = step.get("name");
            if (name == null || !name.isTextual()) {
                return invalid("tiers[" + i + "].name must be a string");
            }
            if (knownTiers != null && !knownTiers.contains(name.asText())) {
                return invalid("tiers[" + i + "]: unknown tier '" + name.asText() + "' (deployed: "
                        + new java.util.TreeSet<>(knownTiers) + ")");
            }
            JsonNode threshold = step.get("threshold");
            Double t = null;
            if (threshold != null && !threshold.isNull()) {
                if (!threshold.isNumber()) {
                    return invalid("tiers[" + i + "].threshold must be a number, got " + threshold);
                }
                t = threshold.asDouble();
            }
            try {
                steps.add(new TierStep(name.asText(), t));
            } catch (IllegalArgumentException e) {
                return invalid(e.getMessage());
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            String problem = confidenceProblem(steps.get(i), i == steps.size() - 1, withoutConfidence);
            if (problem != null) {
                return invalid(problem);
            }
        }
        try {
            return new Result.Valid(new RoutePolicy(route, steps, shadowRate, targetQuality, reference, deadlineMs));
        } catch (IllegalArgumentException e) {
            return invalid(e.getMessage());
        }
    }

    /** The policy as the config topic's JSON (without the route, which is the record key). */
    public static ObjectNode toJson(RoutePolicy policy) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode tiers = root.putArray("tiers");
        for (TierStep s : policy.tiers()) {
            ObjectNode step = tiers.addObject().put("name", s.tier());
            if (s.threshold() != null) {
                step.put("threshold", s.threshold());
            }
        }
        root.put("shadow_rate", policy.shadowRate());
        if (policy.targetQuality() != null) {
            root.put("target_quality", policy.targetQuality());
        }
        if (policy.reference() != null) {
            root.put("reference", policy.reference());
        }
        if (policy.deadlineMs() != null) {
            root.put("deadline_ms", policy.deadlineMs());
        }
        return root;
    }

    private static Result invalid(String reason) {
        return new Result.Invalid(reason);
    }
}
