package dev.cascade.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** Prints the ledger's summary and checks its exact spend against what the stack read from the attempts topic. */
final class LedgerReport {
    private LedgerReport() {
    }

    /** A polled summary: the first that satisfied the condition, else the last one read (null if none) and why. */
    record Polled(JsonNode summary, boolean done, String problem) {
    }

    /** Polls the ledger's {@code /api/summary} until {@code done} holds for it or the wait ends. */
    static Polled awaitSummary(String baseUrl, Predicate<JsonNode> done, Duration wait) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode summary = null;
        String problem = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/summary"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    summary = Json.mapper().readTree(r.body());
                    if (done.test(summary)) {
                        return new Polled(summary, true, null);
                    }
                    problem = "condition not met";
                } else {
                    problem = "HTTP " + r.statusCode() + ": " + r.body();
                }
            } catch (IOException e) {
                problem = e.getMessage();
            }
            Thread.sleep(500);
        }
        return new Polled(summary, false, problem);
    }

    /** Returns true when the ledger's attempts_cost_usd equals {@code attemptsCost} within the wait. */
    static boolean print(String baseUrl, BigDecimal attemptsCost, Duration wait) throws InterruptedException {
        Polled polled = awaitSummary(baseUrl,
                s -> s.path("attempts_cost_usd").decimalValue().compareTo(attemptsCost) == 0, wait);
        JsonNode summary = polled.summary();
        String problem = summary == null ? polled.problem() : "attempts_cost_usd "
                + summary.path("attempts_cost_usd").asText() + " != " + attemptsCost.toPlainString();
        System.out.println();
        System.out.println("=== cost ledger ===");
        if (summary == null) {
            System.out.println("ledger summary unavailable: " + problem);
            return false;
        }
        boolean exact = summary.path("attempts_cost_usd").decimalValue().compareTo(attemptsCost) == 0;
        System.out.println("attempts_cost_usd " + summary.path("attempts_cost_usd").asText()
                + (exact ? " (equals the sum of cascade.attempts read by the stack, to the last digit)"
                : " (MISMATCH: " + problem + ")"));
        System.out.println("fixed_cost_usd " + summary.path("fixed_cost_usd").asText() + " (self-hosted tiers over "
                + "the observed period), total_cost_usd " + summary.path("total_cost_usd").asText());
        for (JsonNode t : summary.path("tiers")) {
            System.out.printf("  %-8s answers %5d  accuracy %s  p95 %s ms%n", t.path("tier").asText(),
                    t.path("answers").asLong(), t.path("accuracy").isNull() ? "n/a"
                            : String.format("%.1f%%", 100 * t.path("accuracy").asDouble()),
                    t.path("latency_p95_ms").asText("n/a"));
        }
        System.out.println("verdict: " + summary.path("verdict").asText());
        return exact;
    }
}
