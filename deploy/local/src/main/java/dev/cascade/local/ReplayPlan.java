package dev.cascade.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cascade.events.Json;
import dev.cascade.events.JsonLines;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the local stack needs to replay a cascade-outcomes file under a policy: the file's queries as the workload,
 * each model's recorded correctness as the judge's verdict (on served answers and on every answer of a shadow
 * record), and router and ledger configs with one tier per model of the policy (tier name = model name), priced at the
 * given token prices, with the policy's shadow rate and quality target (or the stack's overrides of them).
 */
final class ReplayPlan {
    /** Token prices of one model, USD per million tokens. */
    record Price(BigDecimal input, BigDecimal output) {
    }

    final Path file;
    final Path policy;
    final List<String> ids = new ArrayList<>();
    final List<JsonNode> messages = new ArrayList<>();
    final Map<String, Map<String, Boolean>> correct = new HashMap<>();
    final List<String> tiers = new ArrayList<>();
    final ArrayNode policySteps;
    final Map<String, Price> prices;
    /** The route's shadow_rate, target_quality and reference (null: not set). */
    Double shadowRate;
    Double targetQuality;
    String reference;

    private ReplayPlan(Path file, Path policy, ArrayNode policySteps, Map<String, Price> prices) {
        this.file = file;
        this.policy = policy;
        this.policySteps = policySteps;
        this.prices = prices;
    }

    static ReplayPlan load(Path file, Path policyFile, Path pricesFile) throws IOException {
        JsonNode policy = Json.mapper().readTree(policyFile.toFile());
        if (!policy.path("tiers").isArray() || policy.path("tiers").isEmpty()) {
            throw new IOException(policyFile + ": a policy needs a non-empty 'tiers' array");
        }
        Map<String, Price> prices = new LinkedHashMap<>();
        JsonNode priceRoot = new YAMLMapper().readTree(pricesFile.toFile());
        for (Iterator<Map.Entry<String, JsonNode>> it = priceRoot.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            prices.put(e.getKey(), new Price(new BigDecimal(e.getValue().path("input_usd_per_1m_tokens").asText()),
                    new BigDecimal(e.getValue().path("output_usd_per_1m_tokens").asText())));
        }
        ReplayPlan plan = new ReplayPlan(file, policyFile, (ArrayNode) policy.get("tiers"), prices);
        plan.shadowRate = policy.path("shadow_rate").isNumber() ? policy.path("shadow_rate").asDouble() : null;
        plan.targetQuality = policy.path("target_quality").isNumber() ? policy.path("target_quality").asDouble()
                : null;
        plan.reference = policy.path("reference").isTextual() ? policy.path("reference").asText() : null;
        for (JsonNode step : plan.policySteps) {
            String name = step.path("name").asText();
            if (!prices.containsKey(name)) {
                throw new IOException(pricesFile + " has no token prices for model '" + name + "' of the policy");
            }
            plan.tiers.add(name);
        }
        JsonLines.read(file, q -> {
            String id = q.path("id").asText(null);
            if (id == null || !q.path("messages").isArray()) {
                throw new IllegalArgumentException("needs 'id' and 'messages'");
            }
            Map<String, Boolean> verdicts = new HashMap<>();
            for (String tier : plan.tiers) {
                JsonNode o = q.path("outcomes").path(tier);
                if (!o.path("correct").isBoolean()) {
                    throw new IllegalArgumentException("no outcome of model '" + tier + "' of the policy");
                }
                verdicts.put(tier, o.path("correct").asBoolean());
            }
            plan.ids.add(id);
            plan.messages.add(q.get("messages"));
            plan.correct.put(id, verdicts);
        });
        return plan;
    }

    String terminal() {
        return tiers.get(tiers.size() - 1);
    }

    /** The tier quality is measured against: the policy's reference, else its last tier. */
    String referenceTier() {
        return reference != null ? reference : terminal();
    }

    /** The stack's --shadow-rate and --target override the policy's (null: keep the policy's). */
    ReplayPlan withQuality(Double shadowRateOverride, Double targetOverride) {
        if (shadowRateOverride != null) {
            shadowRate = shadowRateOverride;
        }
        if (targetOverride != null) {
            targetQuality = targetOverride;
        }
        return this;
    }

    /** The reference tier's accuracy over the whole file (the denominator of the offline quality ratio). */
    double referenceAccuracy() {
        long right = correct.values().stream().filter(v -> Boolean.TRUE.equals(v.get(referenceTier()))).count();
        return correct.isEmpty() ? 0 : right / (double) correct.size();
    }

    /** The query record of the i-th file query under the run's id prefix. */
    String queryValue(int i, String prefix) {
        ObjectNode q = Json.mapper().createObjectNode();
        q.put("id", prefix + ids.get(i));
        q.set("messages", messages.get(i));
        q.putObject("metadata").put("source", "replay");
        return q.toString();
    }

    /** The recorded correctness of a tier's answer to a query, or null when it is not a replayed query. */
    Boolean verdict(String id, String tier, String prefix) {
        if (id == null || !id.startsWith(prefix)) {
            return null;
        }
        Map<String, Boolean> v = correct.get(id.substring(prefix.length()));
        return v == null ? null : v.get(tier);
    }

    /**
     * The router config (JSON is YAML): one OpenAI-compatible tier per model, route {@code default} = the policy.
     * Every tier measures confidence, the terminal one too: the recorded costs include each model's confidence
     * check, and the replay simulator bills it with the answer when logprobs are asked for, so the run pays what the
     * file recorded and can be compared with the prediction.
     */
    String routerConfig(int simulatorPort, int adminPort) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.putObject("kafka").put("application.id", "cascade-router").put("bootstrap.servers", "127.0.0.1:9092")
                .put("processing.guarantee", "exactly_once_v2").put("commit.interval.ms", 100);
        // a third of the producer's default 1 MiB record limit, as the router requires; recorded queries are far smaller
        root.putObject("router").put("admin_port", adminPort).put("max_query_bytes", 349_525);
        ObjectNode tierNodes = root.putObject("tiers");
        for (String tier : tiers) {
            Price p = prices.get(tier);
            ObjectNode t = tierNodes.putObject(tier);
            t.put("kind", "openai").put("base_url", "http://127.0.0.1:" + simulatorPort + "/v1").put("model", tier)
                    .put("timeout_ms", 60_000).put("max_in_flight", 128)
                    .put("confidence", "logprobs");
            t.putObject("pricing").put("input_usd_per_1m_tokens", p.input())
                    .put("output_usd_per_1m_tokens", p.output());
        }
        ObjectNode route = root.putObject("routes").putObject("default");
        ArrayNode steps = route.putArray("tiers");
        for (JsonNode s : policySteps) {
            ObjectNode step = steps.addObject().put("name", s.path("name").asText());
            if (s.path("threshold").isNumber()) {
                step.put("threshold", s.path("threshold").asDouble());
            }
        }
        if (shadowRate != null) {
            route.put("shadow_rate", shadowRate);
        }
        if (targetQuality != null) {
            route.put("target_quality", targetQuality);
        }
        if (reference != null) {
            route.put("reference", reference);
        }
        return root.toPrettyString();
    }

    /**
     * The ledger config: every tier an API priced per token, the terminal model as the reference of the verdict, and
     * the route's quality target (the route lives in the router's file, so the ledger's file carries its target).
     */
    String ledgerConfig(int httpPort) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.putObject("kafka").put("application.id", "cost-ledger").put("bootstrap.servers", "127.0.0.1:9092")
                .put("processing.guarantee", "exactly_once_v2");
        root.put("http_port", httpPort).put("reference_tier", terminal());
        root.putObject("retention_hours").put("minute", 48).put("hour", 840).put("day", 9600);
        ObjectNode pricing = root.putObject("pricing");
        for (String tier : tiers) {
            Price p = prices.get(tier);
            pricing.putObject(tier).put("kind", "api").put("input_usd_per_1m_tokens", p.input())
                    .put("output_usd_per_1m_tokens", p.output());
        }
        if (targetQuality != null) {
            ObjectNode target = root.putObject("quality_targets").putObject("default")
                    .put("target_quality", targetQuality);
            if (reference != null) {
                target.put("reference", reference);
            }
        }
        return root.toPrettyString();
    }
}
