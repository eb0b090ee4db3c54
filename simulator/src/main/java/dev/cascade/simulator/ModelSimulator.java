package dev.cascade.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cascade.service.HttpResponder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible ({@code POST /v1/chat/completions}) and Anthropic-compatible ({@code POST /v1/messages}) model
 * server on loopback, serving named simulated models. For tests, the demo and benchmarks; never shipped with the
 * router.
 *
 * <p>Admin: {@code GET /admin/stats} (requests per model), {@code POST /admin/models/NAME} with a JSON patch of the
 * model's behaviour (for example {@code {"mode":"fail"}}), {@code GET /health}. Thread-safe.
 */
public final class ModelSimulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, ModelBehaviour> models = new ConcurrentHashMap<>();
    private final Map<String, Stats> stats = new ConcurrentHashMap<>();
    private final Replay replay;

    private ModelSimulator(HttpServer server, ExecutorService executor, Map<String, ModelBehaviour> initial,
                           Replay replay) {
        this.server = server;
        this.executor = executor;
        this.models.putAll(initial);
        this.replay = replay;
        if (replay != null) {
            // every model of the file is served; its behaviour keeps the failure switches (mode, error rate)
            replay.models().forEach(m -> models.putIfAbsent(m, ModelBehaviour.defaults()));
        }
    }

    /** Starts a simulator on 127.0.0.1:{@code port} (0 for a free port). */
    public static ModelSimulator start(int port, Map<String, ModelBehaviour> models) throws IOException {
        return start(port, models, null);
    }

    /**
     * Starts a simulator that serves the recorded answers of {@code replay} for the models of its file, and
     * {@code models} (simulated) for any others.
     */
    public static ModelSimulator start(int port, Map<String, ModelBehaviour> models, Replay replay)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        ExecutorService executor = new ThreadPoolExecutor(8, 512, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "simulator-http");
                    t.setDaemon(true);
                    return t;
                });
        ModelSimulator sim = new ModelSimulator(server, executor, models, replay);
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", ex -> sim.handle(ex, Api.OPENAI));
        server.createContext("/v1/messages", ex -> sim.handle(ex, Api.ANTHROPIC));
        server.createContext("/admin/", sim::handleAdmin);
        server.createContext("/health", ex -> HttpResponder.json(ex, 200, "{\"status\":\"UP\"}"));
        server.start();
        return sim;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Replaces fields of a model's behaviour; the change applies to requests that arrive after it. */
    public void update(String model, Map<String, Object> patch) {
        models.compute(model, (name, current) -> (current == null ? ModelBehaviour.defaults() : current).with(patch));
    }

    /** Requests that reached {@code model} so far (answer calls and verification calls). */
    public long requests(String model) {
        Stats s = stats.get(model);
        return s == null ? 0 : s.requests.get();
    }

    /** The API key the last request to {@code model} carried (Bearer token or x-api-key), for tests. */
    public String lastCredential(String model) {
        Stats s = stats.get(model);
        return s == null ? null : s.credential;
    }

    /** Requests to {@code model} being served right now. */
    public long inFlight(String model) {
        Stats s = stats.get(model);
        return s == null ? 0 : s.inFlight.get();
    }

    /** The most requests to {@code model} ever served at once (a high-water mark kept by the server itself). */
    public long maxInFlight(String model) {
        Stats s = stats.get(model);
        return s == null ? 0 : s.maxInFlight.get();
    }

    /** Verification calls that reached {@code model} so far. */
    public long verifications(String model) {
        Stats s = stats.get(model);
        return s == null ? 0 : s.verifications.get();
    }

    private enum Api { OPENAI, ANTHROPIC }

    private static final class Stats {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong verifications = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final AtomicLong inFlight = new AtomicLong();
        final AtomicLong maxInFlight = new AtomicLong();
        volatile String credential;
    }

    private void handle(HttpExchange ex, Api api) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                HttpResponder.json(ex, 405, error("method not allowed"));
                return;
            }
            JsonNode request;
            try (InputStream in = ex.getRequestBody()) {
                request = JSON.readTree(in);
            } catch (IOException e) {
                HttpResponder.json(ex, 400, error("request body is not JSON"));
                return;
            }
            String model = request.path("model").asText("");
            ModelBehaviour behaviour = models.get(model);
            if (behaviour == null) {
                HttpResponder.json(ex, 404, error("model '" + model + "' not found"));
                return;
            }
            Stats s = stats.computeIfAbsent(model, m -> new Stats());
            s.requests.incrementAndGet();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            s.credential = auth != null ? auth.replaceFirst("^Bearer ", "") : ex.getRequestHeaders().getFirst("x-api-key");
            s.maxInFlight.accumulateAndGet(s.inFlight.incrementAndGet(), Math::max);
            try {
                serve(ex, api, model, behaviour, request, s);
            } finally {
                s.inFlight.decrementAndGet();
            }
        }
    }

    private void serve(HttpExchange ex, Api api, String model, ModelBehaviour b, JsonNode request, Stats s)
            throws IOException {
        boolean verification = api == Api.OPENAI && request.path("max_tokens").asInt(0) == 1
                && request.path("top_logprobs").asInt(0) >= 2;
        if (replay != null && replay.serves(model)) {
            serveRecorded(ex, api, model, b, request, s, verification);
            return;
        }
        if (!waitAndSucceed(ex, model, b, b.latencyMs(), s)) {
            return;
        }
        String prompt = promptText(request, api);
        SimulatedAnswer answer = SimulatedAnswer.of(model, prompt, b);
        if (verification) {
            s.verifications.incrementAndGet();
            // P(yes) is the confidence of the answer under check, so it tells right answers from wrong ones
            SimulatedAnswer checked = SimulatedAnswer.of(model, promptText(withoutVerificationTurn(request), api), b);
            HttpResponder.json(ex, 200, JSON.writeValueAsString(OpenAiResponses.verification(model, prompt, checked)));
        } else if (api == Api.OPENAI) {
            boolean logprobs = request.path("logprobs").asBoolean(false);
            HttpResponder.json(ex, 200, JSON.writeValueAsString(OpenAiResponses.completion(model, prompt, answer,
                    logprobs)));
        } else {
            HttpResponder.json(ex, 200, JSON.writeValueAsString(OpenAiResponses.anthropic(model, prompt, answer)));
        }
    }

    /**
     * Waits {@code latencyMs} (or the hang time of a hanging model) and applies the model's failure switches; false
     * when the request was answered with a failure or the wait was interrupted.
     */
    private static boolean waitAndSucceed(HttpExchange ex, String model, ModelBehaviour b, long latencyMs, Stats s)
            throws IOException {
        long delay = b.mode() == ModelBehaviour.Mode.HANG ? b.hangMs() : latencyMs;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        if (b.mode() == ModelBehaviour.Mode.FAIL
                || (b.errorRate() > 0 && java.util.concurrent.ThreadLocalRandom.current().nextDouble() < b.errorRate())) {
            s.failures.incrementAndGet();
            HttpResponder.json(ex, 500, error("simulated failure of " + model));
            return false;
        }
        return true;
    }

    /** Replay: the recorded answer of {@code model} to this conversation, or 404 when the file lacks it. */
    private void serveRecorded(HttpExchange ex, Api api, String model, ModelBehaviour b, JsonNode request, Stats s,
                               boolean verification) throws IOException {
        Replay.Recorded r = replay.lookup(Replay.key(request, api == Api.ANTHROPIC, verification), model);
        if (r == null) {
            HttpResponder.json(ex, 404, error("replay: this conversation is not in the replay file for model '"
                    + model + "'"));
            return;
        }
        if (!waitAndSucceed(ex, model, b, replay.delayMs(r), s)) {
            return;
        }
        boolean logprobs = request.path("logprobs").asBoolean(false);
        if (verification) {
            s.verifications.incrementAndGet();
            HttpResponder.json(ex, 200, JSON.writeValueAsString(OpenAiResponses.verification(model, r.confidence(),
                    r.checkTokens(), 0)));
            return;
        }
        // the confidence check's recorded cost rides on the answer when the caller will not make a check call
        long prompt = r.promptTokens() + (logprobs ? r.checkTokens() : 0);
        SimulatedAnswer answer = new SimulatedAnswer(r.correct(), r.confidence(), r.answer(), (int) prompt,
                (int) r.completionTokens());
        if (api == Api.OPENAI) {
            HttpResponder.json(ex, 200, JSON.writeValueAsString(OpenAiResponses.completion(model, "", answer,
                    logprobs)));
        } else {
            HttpResponder.json(ex, 200, JSON.writeValueAsString(OpenAiResponses.anthropic(model, "", answer)));
        }
    }

    /** The request without the answer and question that a verification call appends to the conversation. */
    private static JsonNode withoutVerificationTurn(JsonNode request) {
        JsonNode messages = request.path("messages");
        if (!messages.isArray() || messages.size() < 2) {
            return request;
        }
        ObjectNode trimmed = request.deepCopy();
        ArrayNode kept = trimmed.putArray("messages");
        for (int i = 0; i < messages.size() - 2; i++) {
            kept.add(messages.get(i));
        }
        return trimmed;
    }

    static String promptText(JsonNode request, Api api) {
        StringBuilder sb = new StringBuilder();
        if (api == Api.ANTHROPIC && request.has("system")) {
            sb.append(request.path("system").asText()).append('\n');
        }
        for (JsonNode m : request.path("messages")) {
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                sb.append(content.asText()).append('\n');
            } else {
                for (JsonNode part : content) {
                    sb.append(part.path("text").asText()).append('\n');
                }
            }
        }
        return sb.toString();
    }

    private void handleAdmin(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/admin/stats") && "GET".equals(ex.getRequestMethod())) {
                ObjectNode out = JSON.createObjectNode();
                for (Map.Entry<String, ModelBehaviour> e : new TreeMap<>(models).entrySet()) {
                    Stats s = stats.getOrDefault(e.getKey(), new Stats());
                    ObjectNode m = out.putObject(e.getKey());
                    m.put("requests", s.requests.get());
                    m.put("verifications", s.verifications.get());
                    m.put("failures", s.failures.get());
                    m.put("in_flight", s.inFlight.get());
                    m.put("mode", e.getValue().mode().name().toLowerCase(java.util.Locale.ROOT));
                }
                HttpResponder.json(ex, 200, JSON.writeValueAsString(out));
            } else if (path.startsWith("/admin/models/") && "POST".equals(ex.getRequestMethod())) {
                String name = path.substring("/admin/models/".length());
                try (InputStream in = ex.getRequestBody()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> patch = JSON.readValue(in, Map.class);
                    update(name, patch);
                    HttpResponder.json(ex, 200, JSON.writeValueAsString(Map.of("model", name, "updated", true)));
                } catch (IllegalArgumentException | IOException e) {
                    HttpResponder.json(ex, 400, error(e.getMessage()));
                }
            } else {
                HttpResponder.json(ex, 404, error("no such admin path " + path));
            }
        }
    }

    static String error(String message) {
        ObjectNode node = JSON.createObjectNode();
        node.putObject("error").put("message", message).put("type", "simulator_error");
        return node.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
