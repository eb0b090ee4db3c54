package dev.cascade.router.tier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A misbehaving OpenAI/Anthropic-compatible model server on loopback, for tests: it answers every path with the
 * behaviour it was started with, counts requests, and notes when a client walked away from a response it was still
 * writing (the write failed), which is how a test sees that an exchange was cancelled.
 */
public final class HostileModelServer implements AutoCloseable {
    /** What the server does with one exchange. */
    @FunctionalInterface
    public interface Behaviour {
        void handle(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-model-server");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger abandoned = new AtomicInteger();
    private final AtomicReference<String> lastAuthorization = new AtomicReference<>();
    private final List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();

    private HostileModelServer(Behaviour behaviour) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            lastAuthorization.set(auth != null ? auth : ex.getRequestHeaders().getFirst("x-api-key"));
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            try {
                behaviour.handle(ex);
            } catch (IOException e) {
                abandoned.incrementAndGet();
            } finally {
                ex.close();
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    public static HostileModelServer start(Behaviour behaviour) throws IOException {
        return new HostileModelServer(behaviour);
    }

    /** The base URL an OpenAI-compatible tier names ({@code .../v1}); every path gets the behaviour. */
    public String baseUrl() {
        return rootUrl() + "/v1";
    }

    /** The base URL an Anthropic tier names (it appends {@code /v1/messages}). */
    public String rootUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    /** Responses the client stopped reading before the server finished writing them. */
    public int abandoned() {
        return abandoned.get();
    }

    /** The credential header of the last request ({@code Authorization} or {@code x-api-key}). */
    public String lastAuthorization() {
        return lastAuthorization.get();
    }

    /** The bodies of the requests received so far, in order. */
    public List<String> bodies() {
        return List.copyOf(bodies);
    }

    /** A well-formed chat completion with logprobs for confidence 0.99 and the given usage. */
    public static Behaviour answer(String content, String promptTokens, String completionTokens) {
        return ex -> send(ex, 200, completion(content, promptTokens, completionTokens));
    }

    /** A well-formed chat completion whose content is {@code bytes} long. */
    public static Behaviour hugeAnswer(int bytes) {
        return answer("x".repeat(bytes), "3", "1");
    }

    /**
     * A 200 response that starts a completion and then never ends: {@code chunk} bytes every {@code pauseMs}, until
     * the client goes away or {@code maxMillis} pass (so a test against unfixed code still ends).
     */
    public static Behaviour endless(int chunk, long pauseMs, long maxMillis) {
        return ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("{\"choices\":[{\"message\":{\"content\":\"".getBytes(StandardCharsets.UTF_8));
            byte[] bytes = "y".repeat(chunk).getBytes(StandardCharsets.UTF_8);
            long end = System.nanoTime() + maxMillis * 1_000_000;
            while (System.nanoTime() < end) {
                out.write(bytes);
                out.flush();
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        };
    }

    /**
     * A 500 whose body repeats the request's headers, as a careless proxy or debug endpoint does, and names the
     * bare credential too.
     */
    public static Behaviour echoHeadersError() {
        return ex -> {
            StringBuilder body = new StringBuilder("{\"error\":\"upstream failed\",\"request_headers\":{");
            for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
                body.append('"').append(h.getKey()).append("\":\"").append(String.join(",", h.getValue()))
                        .append("\",");
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String bare = auth != null ? auth.replaceFirst("^Bearer ", "")
                    : ex.getRequestHeaders().getFirst("x-api-key");
            body.append("\"hint\":\"key ").append(bare).append(" was refused\"}}");
            send(ex, 500, body.toString());
        };
    }

    static String completion(String content, String promptTokens, String completionTokens) {
        return "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\"},"
                + "\"logprobs\":{\"content\":[{\"token\":\"x\",\"logprob\":" + Math.log(0.99) + "}]}}],"
                + "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens + "}}";
    }

    static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] out = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
