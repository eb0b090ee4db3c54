package dev.cascade.ledger;

import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.ledger.http.LedgerServer;
import dev.cascade.ledger.metrics.LedgerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.LoggerFactory;

/** Wiring only: {@code cost-ledger.jar --config ledger.yaml}. Exits non-zero when the ledger fails. */
public final class LedgerMain {
    private LedgerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.println("usage: java -jar cost-ledger.jar --config ledger.yaml");
            System.exit(2);
        }
        LedgerConfig config;
        try {
            config = LedgerConfig.load(Path.of(args[1]), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", "ledger");
        LedgerMetrics metrics = new LedgerMetrics(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        LedgerApp app = new LedgerApp(config, metrics);
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(app.streams());
        streamsMetrics.bindTo(registry);
        LedgerServer server = LedgerServer.start(config, app.queries(), app.quality(), app::pricing, () -> {
            try {
                metrics.refresh(app.queries().totals(), app.pricing(), config.referenceTier());
                metrics.refreshQuality(app.quality().routes("day"), app.quality().routes("all"));
            } catch (InvalidStateStoreException | IllegalStateException e) {
                LoggerFactory.getLogger(LedgerMain.class).debug("ledger gauges not refreshed: {}", e.getMessage());
            }
            return registry.scrape();
        }, () -> app.streams().state() == KafkaStreams.State.RUNNING);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            streamsMetrics.close();
            server.close();
        }, "ledger-shutdown"));
        try {
            app.start();
        } catch (IllegalStateException e) {
            System.err.println("ledger could not start: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("ledger started: http://127.0.0.1:" + server.port() + "/ (api: /api/summary)");
        int exitCode = app.awaitExitCode();
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }
}
