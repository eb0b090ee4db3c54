package dev.cascade.gateway;

import dev.cascade.gateway.auth.ApiKeys;
import dev.cascade.gateway.config.ConfigException;
import dev.cascade.gateway.config.GatewayConfig;
import dev.cascade.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.Map;

/** Wiring only: {@code gateway.jar [--config gateway.yaml]}; the environment adds to or overrides the file. */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = null;
        if (args.length == 2 && args[0].equals("--config")) {
            file = Path.of(args[1]);
        } else if (args.length != 0) {
            System.err.println("usage: java -jar gateway.jar [--config gateway.yaml]");
            System.exit(2);
        }
        Map<String, String> env = System.getenv();
        GatewayConfig config;
        ApiKeys keys;
        try {
            config = GatewayConfig.load(file, env);
            keys = config.allowAnyKey() ? ApiKeys.anyKey(config.anyKeyTenant())
                    : ApiKeys.load(config.keysFile(), config.envKeys());
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", "gateway");
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        GatewayApp app = new GatewayApp(config, keys, metrics, registry::scrape);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "gateway-shutdown"));
        try {
            app.start();
        } catch (Exception e) {
            System.err.println("gateway could not start: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("gateway started: http://" + config.httpHost() + ":" + app.port()
                + "/v1 (POST /chat/completions, GET /models), instance " + config.instance() + ", answers from "
                + config.replyTopic() + ", " + (config.allowAnyKey() ? "ACCEPTING ANY API KEY (tenant '"
                + config.anyKeyTenant() + "')" : keys) + (config.sendDeadline() ? "" : ", deadline_ms not sent"));
        Thread.currentThread().join();
    }
}
