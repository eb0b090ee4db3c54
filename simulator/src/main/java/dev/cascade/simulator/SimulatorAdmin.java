package dev.cascade.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.cascade.service.HttpResponder;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/**
 * The simulator's admin paths: {@code GET /admin/stats} (counters and mode per model) and
 * {@code POST /admin/models/NAME} with a JSON patch of a model's behaviour. Thread-safe.
 */
final class SimulatorAdmin implements HttpHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelSimulator sim;

    SimulatorAdmin(ModelSimulator sim) {
        this.sim = sim;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/admin/stats") && "GET".equals(ex.getRequestMethod())) {
                ObjectNode out = JSON.createObjectNode();
                sim.snapshot().forEach((name, e) -> {
                    ModelStats s = e.getValue();
                    ObjectNode m = out.putObject(name);
                    m.put("requests", s.requests.get());
                    m.put("verifications", s.verifications.get());
                    m.put("failures", s.failures.get());
                    m.put("in_flight", s.inFlight.get());
                    m.put("mode", e.getKey().mode().name().toLowerCase(Locale.ROOT));
                });
                HttpResponder.json(ex, 200, JSON.writeValueAsString(out));
            } else if (path.startsWith("/admin/models/") && "POST".equals(ex.getRequestMethod())) {
                String name = path.substring("/admin/models/".length());
                try (InputStream in = ex.getRequestBody()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> patch = JSON.readValue(in, Map.class);
                    sim.update(name, patch);
                    HttpResponder.json(ex, 200, JSON.writeValueAsString(Map.of("model", name, "updated", true)));
                } catch (IllegalArgumentException | IOException e) {
                    HttpResponder.json(ex, 400, OpenAiResponses.error(e.getMessage()));
                }
            } else {
                HttpResponder.json(ex, 404, OpenAiResponses.error("no such admin path " + path));
            }
        }
    }
}
