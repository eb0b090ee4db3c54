package dev.cascade.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Response bodies in the shapes real servers use (OpenAI chat completions, Anthropic Messages). */
final class OpenAiResponses {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private OpenAiResponses() {
    }

    /** A chat completion whose per-token logprobs all equal ln(confidence), so exp(mean logprob) = confidence. */
    static ObjectNode completion(String model, String prompt, SimulatedAnswer a, boolean withLogprobs) {
        ObjectNode choice = F.objectNode();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", a.content());
        if (withLogprobs) {
            ArrayNode content = choice.putObject("logprobs").putArray("content");
            double lp = Math.log(Math.max(1e-9, a.confidence()));
            String[] words = a.content().split(" ");
            for (String w : words) {
                content.addObject().put("token", w).put("logprob", lp).putArray("top_logprobs");
            }
        } else {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", "stop");
        return envelope(model, choice, a.promptTokens(), a.completionTokens());
    }

    /** The answer to a yes/no verification call: one token, with P(yes) = the answer's confidence. */
    static ObjectNode verification(String model, String prompt, SimulatedAnswer a) {
        return verification(model, a.confidence(), SimulatedAnswer.tokens(prompt), 1);
    }

    /** A verification answer with P(yes) = {@code confidence} (kept off 0 and 1) and the given usage. */
    static ObjectNode verification(String model, double confidence, long promptTokens, long completionTokens) {
        double pYes = Math.max(1e-9, Math.min(1 - 1e-9, confidence));
        String token = pYes >= 0.5 ? "yes" : "no";
        ObjectNode choice = F.objectNode();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", token);
        ObjectNode tokenNode = choice.putObject("logprobs").putArray("content").addObject();
        tokenNode.put("token", token).put("logprob", Math.log(pYes >= 0.5 ? pYes : 1 - pYes));
        ArrayNode top = tokenNode.putArray("top_logprobs");
        top.addObject().put("token", "yes").put("logprob", Math.log(pYes));
        top.addObject().put("token", "no").put("logprob", Math.log(1 - pYes));
        choice.put("finish_reason", "length");
        return envelope(model, choice, promptTokens, completionTokens);
    }

    private static ObjectNode envelope(String model, ObjectNode choice, long promptTokens, long completionTokens) {
        ObjectNode root = F.objectNode();
        root.put("id", "chatcmpl-sim-" + Long.toHexString(System.nanoTime()));
        root.put("object", "chat.completion");
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", model);
        root.putArray("choices").add(choice);
        root.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        return root;
    }

    static ObjectNode anthropic(String model, String prompt, SimulatedAnswer a) {
        ObjectNode root = F.objectNode();
        root.put("id", "msg_sim_" + Long.toHexString(System.nanoTime()));
        root.put("type", "message");
        root.put("role", "assistant");
        root.put("model", model);
        root.putArray("content").addObject().put("type", "text").put("text", a.content());
        root.put("stop_reason", "end_turn");
        root.putObject("usage").put("input_tokens", a.promptTokens()).put("output_tokens", a.completionTokens());
        return root;
    }

    /** An OpenAI-style error body. */
    static String error(String message) {
        ObjectNode node = F.objectNode();
        node.putObject("error").put("message", message).put("type", "simulator_error");
        return node.toString();
    }
}
