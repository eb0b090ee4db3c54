package dev.cascade.router;

import dev.cascade.router.config.ConfigException;
import dev.cascade.router.config.RouterConfig;
import dev.cascade.router.http.AdminServer;
import dev.cascade.router.metrics.RouterMetrics;
import dev.cascade.router.tier.Tiers;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/** Wiring only: {@code cascade-router.jar --config router.yaml}. Exits non-zero when the router fails. */
public final class RouterMain {
    private RouterMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.println("usage: java -jar cascade-router.jar --config router.yaml");
            System.exit(2);
        }
        Map<String, String> env = System.getenv();
        RouterConfig config;
        Tiers tiers;
        try {
            config = RouterConfig.load(Path.of(args[1]), env);
            tiers = Tiers.create(config.tiers().values(), env);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", "router");
        RouterMetrics metrics = new RouterMetrics(registry, tiers, config.routes().keySet());
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);

        RouterApp app = new RouterApp(config, tiers, metrics);
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(app.streams());
        streamsMetrics.bindTo(registry);
        AdminServer admin = AdminServer.start(new InetSocketAddress(config.adminBind(), config.adminPort()),
                () -> new AdminServer.Health(app.failure() == null && app.state() != KafkaStreams.State.ERROR
                        && app.state() != KafkaStreams.State.NOT_RUNNING, state(app)),
                () -> new AdminServer.Health(app.state() == KafkaStreams.State.RUNNING, state(app)),
                registry::scrape);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            streamsMetrics.close();
            admin.close();
            tiers.close();
        }, "router-shutdown"));
        try {
            app.start();
        } catch (IllegalStateException e) {
            System.err.println("router could not start: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("router started: admin on " + admin.address() + ", reading " + config.topics().queries());
        int exitCode = app.awaitExitCode();
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    private static String state(RouterApp app) {
        return "{\"state\":\"" + app.state() + "\"}";
    }
}
