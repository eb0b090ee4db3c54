package dev.cascade.ledger;

import dev.cascade.core.RoutePolicy;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.config.RoutePolicies;
import dev.cascade.ledger.metrics.LedgerMetrics;
import dev.cascade.ledger.pricing.PricingValidator;
import dev.cascade.ledger.pricing.TierPrice;
import dev.cascade.live.LiveTable;
import dev.cascade.ledger.query.LedgerQueries;
import dev.cascade.ledger.query.QualityQueries;
import dev.cascade.ledger.quality.QualityTarget;
import dev.cascade.ledger.topology.LedgerTopology;
import dev.cascade.service.LiveTablePrerequisite;
import dev.cascade.service.StreamsRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the ledger runs: its topology, with live pricing and the routing policies (for the routes' quality targets)
 * loaded before processing, and the queries over its stores. How it runs (start, fatal errors, ordered stop) is the
 * {@link StreamsRunner}'s.
 */
public final class LedgerApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerApp.class);

    private static final Duration PRICING_LOAD_TIMEOUT = Duration.ofSeconds(60);

    private final StreamsRunner runner;
    private final LedgerQueries queries;
    private final LiveTable<TierPrice> livePricing;
    private final Map<String, TierPrice> filePricing;
    private final LiveTable<RoutePolicy> livePolicies;
    private final Map<String, QualityTarget> fileTargets;
    private final QualityQueries quality;

    public LedgerApp(LedgerConfig config, LedgerMetrics metrics) {
        Properties props = new Properties();
        props.put("commit.interval.ms", "200");
        props.put("processing.exception.handler.global.enabled", "true");
        props.putAll(config.kafka());
        this.filePricing = Map.copyOf(config.pricing());
        this.livePricing = new LiveTable<>(config.kafka(), config.topics().pricing(),
                new PricingValidator(config.referenceTier()), (tier, rejection) -> {
                    if (rejection != null) {
                        LOG.debug("pricing of '{}' refused by the live table: {}", tier, rejection);
                    }
                });
        this.fileTargets = config.qualityTargets();
        this.livePolicies = new LiveTable<>(config.kafka(), config.topics().config(), new RoutePolicies(),
                (route, rejection) -> {
                    if (rejection != null) {
                        LOG.debug("policy of '{}' not read for its quality target: {}", route, rejection);
                    }
                });
        this.runner = StreamsRunner.of("ledger", LedgerTopology.build(config, metrics, route -> {
                    QualityTarget t = qualityTargets().get(route);
                    return t == null ? null : t.reference();
                }), props, List.of(new LiveTablePrerequisite(livePricing, "pricing", PRICING_LOAD_TIMEOUT),
                        new LiveTablePrerequisite(livePolicies, "routing policies", PRICING_LOAD_TIMEOUT)));
        this.queries = new LedgerQueries(runner.streams(),
                HostInfo.buildFromEndpoint(config.kafka().get("application.server")), config.bearerToken());
        this.quality = new QualityQueries(queries, this::qualityTargets, Clock.systemUTC());
    }

    /** Quality targets in effect: the routing policies on the config topic over the config file's targets. */
    public Map<String, QualityTarget> qualityTargets() {
        return RoutePolicies.targets(livePolicies.snapshot(), fileTargets);
    }

    public QualityQueries quality() {
        return quality;
    }

    /** Loads the live pricing (the pricing topic up to its current end), then starts processing. */
    public void start() throws InterruptedException {
        runner.start();
    }

    /** Pricing in effect: the pricing topic's records over the config file's. */
    public Map<String, TierPrice> pricing() {
        Map<String, TierPrice> out = new LinkedHashMap<>(filePricing);
        out.putAll(livePricing.snapshot());
        return out;
    }

    public KafkaStreams streams() {
        return runner.streams();
    }

    public LedgerQueries queries() {
        return queries;
    }

    public Throwable failure() {
        return runner.failure();
    }

    /** Blocks until the client has stopped, then gives the process' exit code (non-zero on a failure). */
    public int awaitExitCode() throws InterruptedException {
        return runner.awaitExitCode();
    }

    @Override
    public void close() {
        runner.close();
    }
}
