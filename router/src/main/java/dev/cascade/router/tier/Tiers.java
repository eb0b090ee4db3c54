package dev.cascade.router.tier;

import dev.cascade.router.client.AnthropicClient;
import dev.cascade.router.client.ModelClient;
import dev.cascade.router.client.OpenAiChatClient;
import dev.cascade.router.config.BreakerSettings;
import dev.cascade.router.config.ConfigException;
import dev.cascade.router.config.TierConfig;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The deployment's tiers by name, built once at start. Owns the shared HTTP client and its executor; close it after
 * the stream threads have stopped. Tiers and their circuit breakers read time from one {@link Clock}: the system
 * clock in production, a clock the test moves otherwise. Thread-safe.
 */
public final class Tiers implements AutoCloseable {
    private final Map<String, Tier> tiers;
    private final ExecutorService executor;
    private final Clock clock;

    private Tiers(Map<String, Tier> tiers, ExecutorService executor, Clock clock) {
        this.tiers = Map.copyOf(tiers);
        this.executor = executor;
        this.clock = clock;
    }

    /** Builds HTTP clients for the configured tiers; API keys come from the environment or files only. */
    public static Tiers create(Collection<TierConfig> configs, Map<String, String> env) {
        return create(configs, env, Clock.systemUTC());
    }

    /** As {@link #create(Collection, Map)}, on the given clock. */
    public static Tiers create(Collection<TierConfig> configs, Map<String, String> env, Clock clock) {
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "tier-http");
            t.setDaemon(true);
            return t;
        });
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(executor)
                .build();
        List<String> problems = new ArrayList<>();
        Map<String, ModelClient> clients = new LinkedHashMap<>();
        for (TierConfig c : configs) {
            String key = apiKey(c, env, problems);
            clients.put(c.name(), switch (c.kind()) {
                case OPENAI -> new OpenAiChatClient(http, c.baseUrl(), c.model(), c.confidence(), c.timeout(), key,
                        c.maxResponseBytes());
                case ANTHROPIC -> new AnthropicClient(http, c.baseUrl(), c.model(), c.timeout(), key,
                        c.maxResponseBytes());
            });
        }
        if (!problems.isEmpty()) {
            executor.shutdownNow();
            throw new ConfigException("tier credentials", problems);
        }
        return withClients(configs, clients::get, executor, clock);
    }

    /** Tiers over given clients (tests use this with loopback servers or fakes). */
    public static Tiers withClients(Collection<TierConfig> configs, Function<String, ModelClient> clients,
                                    ExecutorService executorToClose) {
        return withClients(configs, clients, executorToClose, Clock.systemUTC());
    }

    /** As {@link #withClients(Collection, Function, ExecutorService)}, on the given clock. */
    public static Tiers withClients(Collection<TierConfig> configs, Function<String, ModelClient> clients,
                                    ExecutorService executorToClose, Clock clock) {
        Map<String, Tier> out = new LinkedHashMap<>();
        for (TierConfig c : configs) {
            out.put(c.name(), new Tier(c, clients.apply(c.name()), breaker(c, clock), bulkhead(c), clock));
        }
        return new Tiers(out, executorToClose, clock);
    }

    private static CircuitBreaker breaker(TierConfig c, Clock clock) {
        BreakerSettings b = c.breaker();
        return CircuitBreaker.of("tier-" + c.name(), CircuitBreakerConfig.custom()
                .clock(clock)
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(b.slidingWindow())
                .minimumNumberOfCalls(b.minimumCalls())
                .failureRateThreshold(b.failureRatePercent())
                .waitDurationInOpenState(b.openFor())
                .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
                .build());
    }

    private static Bulkhead bulkhead(TierConfig c) {
        return Bulkhead.of("tier-" + c.name(), BulkheadConfig.custom()
                .maxConcurrentCalls(c.maxInFlight())
                .maxWaitDuration(Duration.ZERO)
                .build());
    }

    private static String apiKey(TierConfig c, Map<String, String> env, List<String> problems) {
        if (c.apiKeyEnv() != null) {
            String v = env.get(c.apiKeyEnv());
            if (v == null || v.isBlank()) {
                problems.add("tiers." + c.name() + ": environment variable " + c.apiKeyEnv() + " is not set");
            }
            return v == null ? null : v.trim();
        }
        if (c.apiKeyFile() != null) {
            try {
                return Files.readString(Path.of(c.apiKeyFile())).trim();
            } catch (IOException e) {
                problems.add("tiers." + c.name() + ": cannot read api_key_file " + c.apiKeyFile());
                return null;
            }
        }
        return null;
    }

    /** The clock the tiers read; the router's deadlines and answer times read it too. */
    public Clock clock() {
        return clock;
    }

    public Tier get(String name) {
        return tiers.get(name);
    }

    public Collection<Tier> all() {
        return tiers.values();
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
