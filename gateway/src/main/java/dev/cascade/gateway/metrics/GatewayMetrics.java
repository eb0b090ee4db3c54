package dev.cascade.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's meters, registered once in {@link #bindTo}: {@code gateway.requests} (by endpoint and HTTP status),
 * {@code gateway.requests.open} (HTTP requests being served now), {@code gateway.answer.wait} (from publishing a
 * query to its answer, or to giving up, by outcome) and {@code gateway.answers.unclaimed} (answers no request of this
 * instance waited for). Tag values come from closed sets; never an id, key, tenant or prompt. Thread-safe.
 */
public final class GatewayMetrics implements MeterBinder {
    public static final String CHAT = "chat_completions";
    public static final String MODELS = "models";
    /** Outcomes of a wait for an answer. */
    public static final List<String> WAIT_OUTCOMES = List.of("answered", "failed", "timeout", "gone");
    private static final Map<String, List<Integer>> KNOWN = Map.of(
            CHAT, List.of(200, 400, 401, 404, 409, 413, 502, 503, 504),
            MODELS, List.of(200, 401));

    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Timer> waits = new ConcurrentHashMap<>();
    private MeterRegistry registry;
    private Counter unclaimed;

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("gateway.requests.open", open, AtomicInteger::get)
                .description("HTTP requests being served, waiting ones included").register(registry);
        KNOWN.forEach((endpoint, statuses) -> statuses.forEach(s -> counter(endpoint, s)));
        WAIT_OUTCOMES.forEach(this::timer);
        unclaimed = Counter.builder("gateway.answers.unclaimed")
                .description("answers on the reply topic that no open request of this instance waited for")
                .register(registry);
    }

    /** A request has started; call {@link #finished} exactly once for it. */
    public void started() {
        open.incrementAndGet();
    }

    public void finished(String endpoint, int status) {
        open.decrementAndGet();
        counter(endpoint, status).increment();
    }

    /** A request answered without waiting (models, errors before the wait): counted, never open. */
    public void counted(String endpoint, int status) {
        counter(endpoint, status).increment();
    }

    public void waited(String outcome, Duration duration) {
        timer(outcome).record(duration);
    }

    public void unclaimed() {
        unclaimed.increment();
    }

    public int open() {
        return open.get();
    }

    private Counter counter(String endpoint, int status) {
        return requests.computeIfAbsent(endpoint + "|" + status, k -> Counter.builder("gateway.requests")
                .description("HTTP requests by endpoint and status").tag("endpoint", endpoint)
                .tag("status", Integer.toString(status)).register(registry));
    }

    private Timer timer(String outcome) {
        return waits.computeIfAbsent(outcome, k -> Timer.builder("gateway.answer.wait")
                .description("time from publishing a query to its answer (or to giving up)")
                .tag("outcome", outcome).publishPercentileHistogram().register(registry));
    }
}
