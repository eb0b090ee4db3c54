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

/**
 * Prints the ledger's summary and checks its exact spend against what the stack read from the attempts topic; prints
 * the paired quality estimate of {@code /api/quality}.
 */
final class LedgerReport {
    private LedgerReport() {
    }

    /** A polled summary: the first that satisfied the condition, else the last one read (null if none) and why. */
    record Polled(JsonNode summary, boolean done, String problem) {
    }

    /** Polls the ledger's {@code /api/summary} until {@code done} holds for it or the wait ends. */
    static Polled awaitSummary(String baseUrl, Predicate<JsonNode> done, Duration wait) throws InterruptedException {
        return await(baseUrl + "/api/summary", done, wait);
    }

    /** Polls a JSON document of the ledger until {@code done} holds for it or the wait ends. */
    static Polled await(String url, Predicate<JsonNode> done, Duration wait) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode summary = null;
        String problem = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
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
            System.out.printf("  %-8s answers %5d  accuracy on the queries it served %s  on shadow samples %s  "
                            + "p95 %s ms%n", t.path("tier").asText(), t.path("answers").asLong(),
                    percent(t.path("accuracy")), percent(t.path("paired_accuracy")),
                    t.path("latency_p95_ms").asText("n/a"));
        }
        System.out.println("verdict: " + summary.path("verdict").asText());
        return exact;
    }

    /**
     * Prints {@code /api/quality} (all time) once the ledger has paired {@code judgedShadows} judged shadow samples (or
     * the wait ends); returns the routes, or null when the ledger did not answer.
     */
    static JsonNode printQuality(String baseUrl, long judgedShadows, Duration wait) throws InterruptedException {
        Polled polled = await(baseUrl + "/api/quality?window=all", q -> judged(q) >= judgedShadows, wait);
        System.out.println();
        System.out.println("=== quality against the reference (/api/quality, paired shadow samples) ===");
        if (polled.summary() == null) {
            System.out.println("quality unavailable: " + polled.problem());
            return null;
        }
        JsonNode routes = polled.summary().path("routes");
        if (!polled.done()) {
            System.out.println("(the ledger has paired " + judged(polled.summary()) + " of " + judgedShadows
                    + " judged shadow samples so far)");
        }
        if (routes.isEmpty()) {
            System.out.println("no route has shadow samples or a target (set --shadow-rate)");
        }
        for (JsonNode r : routes) {
            System.out.printf(java.util.Locale.ROOT, "  %-10s %-17s ratio %s [%s, %s] on %d judged of %d samples, "
                            + "agreement %s, target %s%n    %s%n", r.path("route").asText(),
                    r.path("status").asText(), ratio(r.path("ratio")), ratio(r.path("ratio_low")),
                    ratio(r.path("ratio_high")), r.path("judged").asLong(), r.path("samples").asLong(),
                    percent(r.path("agreement")), ratio(r.path("target")), r.path("sentence").asText());
        }
        return routes;
    }

    private static long judged(JsonNode quality) {
        long n = 0;
        for (JsonNode r : quality.path("routes")) {
            n += r.path("judged").asLong();
        }
        return n;
    }

    private static String percent(JsonNode v) {
        return v.isNumber() ? String.format(java.util.Locale.ROOT, "%.1f%%", 100 * v.asDouble()) : "n/a";
    }

    private static String ratio(JsonNode v) {
        return v.isNumber() ? String.format(java.util.Locale.ROOT, "%.4f", v.asDouble()) : "n/a";
    }
}
