package dev.cascade.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import dev.cascade.events.JsonLines;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Recorded answers served as if the models were live: a cascade-outcomes file (JSON Lines, optionally gzipped),
 * looked up by the messages of the request. For each model of the file the simulator answers with the recorded
 * answer text, tokens and confidence (as logprobs, and as P(yes) to a verification call), after the recorded latency
 * times a factor.
 *
 * <p>Cost: a recorded {@code cost_usd} can include a confidence check that the token counts leave out. Given the
 * model's token prices, the difference is reported as extra prompt tokens: on the answer when the caller asks for
 * logprobs (it will not verify), on the verification call otherwise. So a router pricing the tier at those prices
 * pays what the file recorded, whichever confidence method the tier uses.
 */
public final class Replay {
    /** One model's recorded outcome for one query. */
    record Recorded(String answer, boolean correct, double confidence, long promptTokens, long completionTokens,
                    double latencyMs, long checkTokens) {
    }

    /** Token prices of a model, USD per million tokens. */
    public record Price(BigDecimal inputPer1m, BigDecimal outputPer1m) {
    }

    private final Map<String, Map<String, Recorded>> byMessages;
    private final Set<String> models;
    private final double latencyFactor;

    private Replay(Map<String, Map<String, Recorded>> byMessages, Set<String> models, double latencyFactor) {
        this.byMessages = byMessages;
        this.models = models;
        this.latencyFactor = latencyFactor;
    }

    /**
     * @param prices        token prices per model, for the confidence check's cost; models without one are served
     *                      with their recorded tokens only
     * @param latencyFactor recorded latency is multiplied by this (0 serves at once)
     */
    public static Replay load(Path file, Map<String, Price> prices, double latencyFactor) throws IOException {
        if (!(latencyFactor >= 0)) {
            throw new IllegalArgumentException("latency factor must be >= 0, got " + latencyFactor);
        }
        Map<String, Map<String, Recorded>> byMessages = new HashMap<>();
        Set<String> models = new TreeSet<>();
        JsonLines.read(file, q -> {
            if (!q.path("messages").isArray() || q.path("messages").isEmpty()) {
                throw new IllegalArgumentException("'messages' must be a non-empty array");
            }
            Map<String, Recorded> outcomes = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = q.path("outcomes").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                outcomes.put(e.getKey(), recorded(e.getKey(), e.getValue(), prices.get(e.getKey())));
                models.add(e.getKey());
            }
            byMessages.put(key(q.path("messages"), null), outcomes);
        });
        return new Replay(byMessages, models, latencyFactor);
    }

    private static Recorded recorded(String model, JsonNode o, Price price) {
        if (!o.path("correct").isBoolean() || !o.path("cost_usd").isNumber()) {
            throw new IllegalArgumentException("outcome of '" + model + "' needs boolean 'correct' and numeric "
                    + "'cost_usd'");
        }
        double confidence = o.path("confidence").asDouble(0);
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence of '" + model + "' must be in [0, 1]");
        }
        long prompt = o.path("prompt_tokens").asLong(0);
        long completion = o.path("completion_tokens").asLong(0);
        long check = 0;
        if (price != null && price.inputPer1m().signum() > 0) {
            BigDecimal answerCost = price.inputPer1m().multiply(BigDecimal.valueOf(prompt))
                    .add(price.outputPer1m().multiply(BigDecimal.valueOf(completion)))
                    .movePointLeft(6);
            BigDecimal rest = new BigDecimal(o.path("cost_usd").asText()).subtract(answerCost);
            if (rest.signum() > 0) {
                check = rest.movePointRight(6).divide(price.inputPer1m(), 0, RoundingMode.HALF_EVEN).longValue();
            }
        }
        return new Recorded(o.path("answer").asText(""), o.path("correct").asBoolean(), confidence, prompt,
                completion, o.path("latency_ms").asDouble(0), check);
    }

    /** The lookup key of a conversation: roles and texts in order (a system prompt outside the list comes first). */
    static String key(JsonNode messages, String system) {
        StringBuilder sb = new StringBuilder();
        if (system != null) {
            sb.append("system").append('\u0001').append(system).append('\u0002');
        }
        for (JsonNode m : messages) {
            sb.append(m.path("role").asText()).append('\u0001');
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                sb.append(content.asText());
            } else {
                for (JsonNode part : content) {
                    sb.append(part.path("text").asText());
                }
            }
            sb.append('\u0002');
        }
        return sb.toString();
    }

    /** The conversation of a request, without the answer and question a verification call appends. */
    static String key(JsonNode request, boolean anthropic, boolean verification) {
        JsonNode messages = request.path("messages");
        if (verification && messages.size() >= 2) {
            List<JsonNode> list = new java.util.ArrayList<>();
            messages.forEach(list::add);
            messages = Json.mapper().valueToTree(list.subList(0, list.size() - 2));
        }
        String system = anthropic && request.path("system").isTextual() ? request.path("system").asText() : null;
        return key(messages, system);
    }

    boolean serves(String model) {
        return models.contains(model);
    }

    Set<String> models() {
        return models;
    }

    Recorded lookup(String key, String model) {
        Map<String, Recorded> outcomes = byMessages.get(key);
        return outcomes == null ? null : outcomes.get(model);
    }

    long delayMs(Recorded r) {
        return Math.round(r.latencyMs() * latencyFactor);
    }

    int queries() {
        return byMessages.size();
    }
}
