package dev.cascade.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private final Map<String, ModelStats> stats = new ConcurrentHashMap<>();
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
        server.createContext("/v1/chat/completions", ex -> sim.handle(ex, Conversation.Api.OPENAI));
        server.createContext("/v1/messages", ex -> sim.handle(ex, Conversation.Api.ANTHROPIC));
        server.createContext("/admin/", new SimulatorAdmin(sim));
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
        ModelStats s = stats.get(model);
        return s == null ? 0 : s.requests.get();
    }

    /** The API key the last request to {@code model} carried (Bearer token or x-api-key), for tests. */
    public String lastCredential(String model) {
        ModelStats s = stats.get(model);
        return s == null ? null : s.credential;
    }

    /** Requests to {@code model} being served right now. */
    public long inFlight(String model) {
        ModelStats s = stats.get(model);
        return s == null ? 0 : s.inFlight.get();
    }

    /** Each served model's behaviour and counters, by name, in name order. */
    Map<String, Map.Entry<ModelBehaviour, ModelStats>> snapshot() {
        Map<String, Map.Entry<ModelBehaviour, ModelStats>> out = new TreeMap<>();
        models.forEach((name, b) -> out.put(name, Map.entry(b, stats.getOrDefault(name, new ModelStats()))));
        return out;
    }

    /** The most requests to {@code model} ever served at once (a high-water mark kept by the server itself). */
    public long maxInFlight(String model) {
        ModelStats s = stats.get(model);
        return s == null ? 0 : s.maxInFlight.get();
    }

    /** Verification calls that reached {@code model} so far. */
    public long verifications(String model) {
        ModelStats s = stats.get(model);
        return s == null ? 0 : s.verifications.get();
    }


    private void handle(HttpExchange ex, Conversation.Api api) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                HttpResponder.json(ex, 405, OpenAiResponses.error("method not allowed"));
                return;
            }
            JsonNode request;
            try (InputStream in = ex.getRequestBody()) {
                request = JSON.readTree(in);
            } catch (IOException e) {
                HttpResponder.json(ex, 400, OpenAiResponses.error("request body is not JSON"));
                return;
            }
            String model = request.path("model").asText("");
            ModelBehaviour behaviour = models.get(model);
            if (behaviour == null) {
                HttpResponder.json(ex, 404, OpenAiResponses.error("model '" + model + "' not found"));
                return;
            }
            ModelStats s = stats.computeIfAbsent(model, m -> new ModelStats());
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

    private void serve(HttpExchange ex, Conversation.Api api, String model, ModelBehaviour b, JsonNode request, ModelStats s)
            throws IOException {
        boolean verification = Conversation.isVerification(request, api);
        if (replay != null && replay.serves(model)) {
            serveRecorded(ex, api, model, b, request, s, verification);
            return;
        }
        if (!waitAndSucceed(ex, model, b, b.latencyMs(), s)) {
            return;
        }
        String prompt = Conversation.promptText(request, api);
        SimulatedAnswer answer = SimulatedAnswer.of(model, prompt, b);
        if (verification) {
            s.verifications.incrementAndGet();
            // P(yes) is the confidence of the answer under check, so it tells right answers from wrong ones
            SimulatedAnswer checked = SimulatedAnswer.of(model, Conversation.promptText(Conversation.withoutVerificationTurn(request), api), b);
            HttpResponder.json(ex, 200, JSON.writeValueAsString(OpenAiResponses.verification(model, prompt, checked)));
        } else if (api == Conversation.Api.OPENAI) {
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
    private static boolean waitAndSucceed(HttpExchange ex, String model, ModelBehaviour b, long latencyMs, ModelStats s)
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
            HttpResponder.json(ex, 500, OpenAiResponses.error("simulated failure of " + model));
            return false;
        }
        return true;
    }

    /** Replay: the recorded answer of {@code model} to this conversation, or 404 when the file lacks it. */
    private void serveRecorded(HttpExchange ex, Conversation.Api api, String model, ModelBehaviour b, JsonNode request, ModelStats s,
                               boolean verification) throws IOException {
        Replay.Recorded r = replay.lookup(Replay.key(request, api == Conversation.Api.ANTHROPIC, verification), model);
        if (r == null) {
            HttpResponder.json(ex, 404, OpenAiResponses.error("replay: this conversation is not in the replay file for model '"
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
        if (api == Conversation.Api.OPENAI) {
            HttpResponder.json(ex, 200, JSON.writeValueAsString(OpenAiResponses.completion(model, "", answer,
                    logprobs)));
        } else {
            HttpResponder.json(ex, 200, JSON.writeValueAsString(OpenAiResponses.anthropic(model, "", answer)));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
