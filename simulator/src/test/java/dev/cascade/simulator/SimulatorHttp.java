package dev.cascade.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Calls a started simulator over loopback HTTP, as the router's clients do, and builds the request bodies. */
final class SimulatorHttp {
    static final String VERIFY_QUESTION = "Is the proposed answer to the question above correct? Answer yes or no.";

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final ModelSimulator simulator;

    SimulatorHttp(ModelSimulator simulator) {
        this.simulator = simulator;
    }

    HttpResponse<String> post(String path, JsonNode body, Duration timeout, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, JsonNode body) throws IOException, InterruptedException {
        return post(path, body, Duration.ofSeconds(30));
    }

    /** POSTs every body, a few at a time, and returns the responses in the order of the bodies. */
    List<HttpResponse<String>> postAll(String path, List<? extends JsonNode> bodies) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> pending = new ArrayList<>();
            for (JsonNode body : bodies) {
                pending.add(callers.submit(() -> post(path, body)));
            }
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> f : pending) {
                responses.add(f.get());
            }
            return responses;
        } finally {
            callers.shutdownNow();
        }
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create(simulator.baseUrl() + path);
    }

    /** POSTs an OpenAI chat completion and returns the 200 response's body. */
    JsonNode chat(JsonNode body) throws IOException, InterruptedException {
        HttpResponse<String> r = post("/v1/chat/completions", body);
        if (r.statusCode() != 200) {
            throw new AssertionError("HTTP " + r.statusCode() + ": " + r.body());
        }
        return json(r);
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode openAi(String model, String question, boolean logprobs) {
        ObjectNode body = Json.mapper().createObjectNode().put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", question);
        if (logprobs) {
            body.put("logprobs", true);
        }
        return body;
    }

    /** The verification call the router makes: the conversation, the answer and a yes/no question, one token. */
    static ObjectNode verification(ObjectNode answered, String answer) {
        ObjectNode body = answered.deepCopy();
        ArrayNode messages = (ArrayNode) body.get("messages");
        messages.addObject().put("role", "assistant").put("content", answer);
        messages.addObject().put("role", "user").put("content", VERIFY_QUESTION);
        body.remove("logprobs");
        return body.put("max_tokens", 1).put("temperature", 0).put("logprobs", true).put("top_logprobs", 5);
    }

    static ObjectNode anthropic(String model, String system, String question) {
        ObjectNode body = Json.mapper().createObjectNode().put("model", model).put("max_tokens", 256);
        if (system != null) {
            body.put("system", system);
        }
        body.putArray("messages").addObject().put("role", "user").put("content", question);
        return body;
    }

    static String content(JsonNode completion) {
        return completion.path("choices").path(0).path("message").path("content").asText();
    }

    /** exp of the mean token logprob: the {@code logprobs} confidence method. */
    static double logprobConfidence(JsonNode completion) {
        JsonNode tokens = completion.path("choices").path(0).path("logprobs").path("content");
        if (!tokens.isArray() || tokens.isEmpty()) {
            throw new AssertionError("no token logprobs in " + completion);
        }
        double sum = 0;
        for (JsonNode t : tokens) {
            sum += t.path("logprob").asDouble();
        }
        return Math.exp(sum / tokens.size());
    }

    /** P(yes) of a verification answer, from its top logprobs. */
    static double pYes(JsonNode verification) {
        for (JsonNode alt : verification.path("choices").path(0).path("logprobs").path("content").path(0)
                .path("top_logprobs")) {
            if (alt.path("token").asText().equals("yes")) {
                return Math.exp(alt.path("logprob").asDouble());
            }
        }
        throw new AssertionError("no 'yes' among the top logprobs of " + verification);
    }
}
