package dev.cascade.local;

import dev.cascade.events.TopicNames;
import dev.cascade.kafka.EmbeddedKafkaMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The whole pipeline on one machine, one process per service like a real deployment: a real KRaft broker, the model
 * simulator, the router and the cost ledger; then a demo workload with progress and judged feedback, and at the end
 * a per-tier summary and the ledger's verdict.
 */
public final class LocalStackMain {
    static final List<String> TIERS = List.of("small", "medium", "large", "general");
    static final int SIMULATOR_PORT = 8090;
    static final int ROUTER_ADMIN_PORT = 8081;
    static final int LEDGER_PORT = 8082;
    static final int GATEWAY_PORT = 8080;

    private LocalStackMain() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("cascade.home", ".")).toAbsolutePath().normalize();
        StackOptions options;
        try {
            options = StackOptions.parse(args, home);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    static int run(StackOptions o) throws Exception {
        boolean temporary = o.dataDir() == null;
        Path data = temporary ? Files.createTempDirectory("cascade-stack-") : o.dataDir();
        Files.createDirectories(data);
        Path logs = data.resolve("logs");
        String bootstrap = "127.0.0.1:" + o.kafkaPort();
        List<ChildProcess> children = new ArrayList<>();
        AtomicBoolean stopping = new AtomicBoolean();
        CountDownLatch interrupted = new CountDownLatch(1);
        Tally[] tally = new Tally[1];
        Judge[] judge = new Judge[1];
        Runnable shutdown = () -> {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            if (tally[0] != null) {
                tally[0].stop();
            }
            if (judge[0] != null) {
                judge[0].close();
            }
            System.out.println("stopping services...");
            for (int i = children.size() - 1; i >= 0; i--) {
                try {
                    children.get(i).stop(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (temporary) {
                try {
                    dev.cascade.kafka.EmbeddedKafkaBroker.deleteRecursively(data);
                } catch (IllegalStateException e) {
                    System.err.println("could not remove " + data + ": " + e.getMessage());
                }
            } else {
                System.out.println("data kept in " + data);
            }
        };
        Thread hook = new Thread(() -> {
            interrupted.countDown();
            shutdown.run();
        }, "stack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            System.out.println("data directory: " + data + (temporary ? " (temporary)" : ""));
            String runId = Long.toString(System.currentTimeMillis(), 36);
            ReplayPlan plan = o.replay() == null ? null : ReplayPlan.load(o.replay(), o.policy(), o.prices())
                    .withQuality(o.shadowRate(), o.targetQuality());
            int queries = plan == null ? o.queries() : plan.ids.size();
            List<String> tiers = plan == null ? TIERS : plan.tiers;
            String replayPrefix = "replay-" + runId + "-";
            Path routerConfig = o.config();
            Path ledgerConfig = o.home().resolve("deploy/local/config/ledger.yaml");
            List<String> simulatorArgs = List.of("--config",
                    o.home().resolve("deploy/local/config/simulator.yaml").toString());
            if (plan == null && (o.shadowRate() != null || o.targetQuality() != null)) {
                routerConfig = Files.writeString(data.resolve("demo-router.yaml"),
                        DemoConfigs.router(routerConfig, o.shadowRate(), o.targetQuality()));
                if (o.targetQuality() != null) {
                    ledgerConfig = Files.writeString(data.resolve("demo-ledger.yaml"),
                            DemoConfigs.ledger(ledgerConfig, o.targetQuality()));
                }
            }
            if (plan != null) {
                routerConfig = Files.writeString(data.resolve("replay-router.yaml"),
                        plan.routerConfig(SIMULATOR_PORT, ROUTER_ADMIN_PORT));
                ledgerConfig = Files.writeString(data.resolve("replay-ledger.yaml"), plan.ledgerConfig(LEDGER_PORT));
                simulatorArgs = List.of("--replay", o.replay().toString(), "--prices", o.prices().toString(),
                        "--latency-factor", Double.toString(o.latencyFactor()));
                System.out.println("replay:    " + queries + " queries of " + o.replay() + " under " + o.policy()
                        + " (tiers " + tiers + ")");
            }
            ChildProcess broker = ChildProcess.start("broker", List.of(ChildProcess.java(), "-Xmx512m",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                    EmbeddedKafkaMain.class.getName(), "--port", Integer.toString(o.kafkaPort()),
                    "--data-dir", data.resolve("kafka").toString()), Map.of(), logs);
            children.add(broker);
            broker.awaitLogLine("READY", Duration.ofSeconds(90));
            System.out.println("kafka:     " + bootstrap + " (KRaft, log " + broker.log + ")");
            createTopics(bootstrap);

            List<String> simulatorCommand = new ArrayList<>(List.of(ChildProcess.java(), "-Xmx512m", "-jar",
                    o.home().resolve("simulator/target/model-simulator-all.jar").toString()));
            simulatorCommand.addAll(simulatorArgs);
            simulatorCommand.addAll(List.of("--port", Integer.toString(SIMULATOR_PORT)));
            ChildProcess simulator = ChildProcess.start("simulator", simulatorCommand, Map.of(), logs);
            children.add(simulator);
            simulator.awaitLogLine("READY", Duration.ofSeconds(60));
            System.out.println("simulator: http://127.0.0.1:" + SIMULATOR_PORT + (plan == null ? " (models "
                    + "small-model, medium-model, large-model, general-model)" : " (replaying recorded answers at "
                    + o.latencyFactor() + " x recorded latency)"));

            ChildProcess router = ChildProcess.start("router", List.of(ChildProcess.java(), "-Xmx768m",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-jar",
                    o.home().resolve("router/target/cascade-router.jar").toString(),
                    "--config", routerConfig.toString()), Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                    "KAFKA_STATE_DIR", data.resolve("router-state").toString(),
                    "CASCADE_ADMIN_PORT", Integer.toString(ROUTER_ADMIN_PORT)), logs);
            children.add(router);
            router.awaitHttp200("http://127.0.0.1:" + ROUTER_ADMIN_PORT + "/health/ready", Duration.ofSeconds(120));
            System.out.println("router:    admin http://127.0.0.1:" + ROUTER_ADMIN_PORT
                    + " (/health/ready, /metrics), config " + routerConfig);
            ChildProcess ledger = ChildProcess.start("ledger", List.of(ChildProcess.java(), "-Xmx512m",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-jar",
                    o.home().resolve("cost-ledger/target/cost-ledger.jar").toString(),
                    "--config", ledgerConfig.toString()), Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                    "KAFKA_STATE_DIR", data.resolve("ledger-state").toString(),
                    "LEDGER_HTTP_PORT", Integer.toString(LEDGER_PORT)), logs);
            children.add(ledger);
            ledger.awaitHttp200("http://127.0.0.1:" + LEDGER_PORT + "/health/ready", Duration.ofSeconds(120));
            System.out.println("ledger:    http://127.0.0.1:" + LEDGER_PORT + "/ (page), /api/summary, /metrics");
            startGateway(o, bootstrap, logs, children);

            judge[0] = plan == null ? new Judge(bootstrap, TopicNames.FEEDBACK)
                    : new Judge(bootstrap, TopicNames.FEEDBACK, (id, tier, a) -> plan.verdict(id, tier, replayPrefix));
            tally[0] = new Tally(bootstrap, TopicNames.ANSWERS, TopicNames.ATTEMPTS, TopicNames.DLQ, TopicNames.SHADOW,
                    judge[0]::acceptAnswer, judge[0]::acceptShadow);
            Thread reader = new Thread(tally[0], "tally");
            reader.setDaemon(true);
            reader.start();

            Workload workload = plan == null ? new Workload(bootstrap, TopicNames.QUERIES, runId, queries, o.rate())
                    : new Workload(bootstrap, TopicNames.QUERIES, queries, o.rate(),
                    i -> replayPrefix + plan.ids.get(i), i -> plan.queryValue(i, replayPrefix));
            Thread publisher = new Thread(workload, "workload");
            publisher.setDaemon(true);
            publisher.start();
            System.out.println("publishing " + queries + (plan == null ? " demo" : " replayed") + " queries at "
                    + o.rate() + "/s to cascade.queries"
                    + (o.duration() == null ? "; Ctrl-C stops" : "; stopping after " + o.duration() + " s"));

            long end = o.duration() == null ? Long.MAX_VALUE : System.nanoTime() + o.duration() * 1_000_000_000L;
            boolean reportedAll = false;
            while (System.nanoTime() < end && interrupted.getCount() > 0) {
                interrupted.await(Math.min(2_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
                for (ChildProcess c : children) {
                    c.checkAlive();
                }
                long demoAnswered = demoAnswered(tally[0], workload, queries);
                if (!reportedAll) {
                    System.out.println("published " + workload.published.get() + "/" + queries + ", "
                            + tally[0].progressLine());
                }
                if (!reportedAll && queries > 0 && demoAnswered == queries) {
                    reportedAll = true;
                    System.out.println("all " + queries + " demo queries answered; the stack keeps running"
                            + (o.duration() == null ? " until interrupted" : " until the duration ends")
                            + " (publish your own to cascade.queries on " + bootstrap + ")");
                }
            }
            long demoAnswered = demoAnswered(tally[0], workload, queries);
            System.out.println();
            System.out.println("=== per-tier summary ===");
            System.out.println(tally[0].summary(tiers));
            System.out.println((plan == null ? "demo" : "replayed") + " queries answered: " + demoAnswered + "/"
                    + queries
                    + (workload.sendErrors.get() > 0 ? ", publish errors: " + workload.sendErrors.get() : "")
                    + "; feedback published: " + judge[0].published.get());
            boolean ledgerExact = LedgerReport.print("http://127.0.0.1:" + LEDGER_PORT, tally[0].attemptsCost(),
                    Duration.ofSeconds(60));
            judge[0].flush();
            com.fasterxml.jackson.databind.JsonNode quality = LedgerReport.printQuality("http://127.0.0.1:"
                    + LEDGER_PORT, judge[0].shadowsJudged.get(), Duration.ofSeconds(30));
            boolean replayAgrees = plan == null || ReplayCheck.compare(o, plan, "http://127.0.0.1:" + LEDGER_PORT,
                    judge[0].answersJudged.get(), quality, Duration.ofSeconds(60));
            Runtime.getRuntime().removeShutdownHook(hook);
            shutdown.run();
            if (!ledgerExact) {
                System.err.println("the ledger's attempts_cost_usd does not match the attempts topic (see "
                        + logs.resolve("ledger.log") + ")");
                return 1;
            }
            if (!replayAgrees) {
                System.err.println("the ledger's measured accuracy or cost is more than 2 points from the prediction");
                return 1;
            }
            if (demoAnswered < queries || workload.sendErrors.get() > 0) {
                System.err.println("not every demo query was answered before the stack stopped (raise --duration, "
                        + "or see the logs in " + logs + ")");
                return 1;
            }
            return 0;
        } catch (IllegalStateException | IOException e) {
            System.err.println("local stack failed: " + e.getMessage());
            Runtime.getRuntime().removeShutdownHook(hook);
            shutdown.run();
            return 1;
        }
    }

    /** The OpenAI-compatible gateway on 127.0.0.1:8080: any key, or only {@code --gateway-key}. */
    private static void startGateway(StackOptions o, String bootstrap, Path logs, List<ChildProcess> children)
            throws IOException, InterruptedException {
        Map<String, String> env = new java.util.HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "GATEWAY_HTTP_PORT", Integer.toString(GATEWAY_PORT)));
        if (o.gatewayKey() == null) {
            env.put("GATEWAY_ALLOW_ANY_KEY", "true");
        } else {
            env.put("GATEWAY_API_KEYS", "local=" + o.gatewayKey());
        }
        ChildProcess gateway = ChildProcess.start("gateway", List.of(ChildProcess.java(), "-Xmx256m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-jar",
                o.home().resolve("gateway/target/gateway.jar").toString(),
                "--config", o.home().resolve("deploy/local/config/gateway.yaml").toString()), env, logs);
        children.add(gateway);
        gateway.awaitHttp200("http://127.0.0.1:" + GATEWAY_PORT + "/health/ready", Duration.ofSeconds(60));
        System.out.println("gateway:   http://127.0.0.1:" + GATEWAY_PORT + "/v1 (OpenAI-compatible; model "
                + "'default'), " + (o.gatewayKey() == null ? "ACCEPTING ANY API KEY (start with --gateway-key KEY "
                + "to require one)" : "accepting only the key given with --gateway-key"));
    }

    private static long demoAnswered(Tally tally, Workload workload, int queries) {
        long n = 0;
        for (int i = 0; i < queries; i++) {
            if (tally.answeredIds.contains(workload.id(i))) {
                n++;
            }
        }
        return n;
    }

    /** Creates the topics of the public contract (compacted where the contract says so); existing ones stay. */
    public static void createTopics(String bootstrap) throws Exception {
        List<NewTopic> topics = List.of(
                new NewTopic(TopicNames.QUERIES, 3, (short) 1),
                new NewTopic(TopicNames.ANSWERS, 3, (short) 1),
                new NewTopic(TopicNames.ATTEMPTS, 3, (short) 1),
                new NewTopic(TopicNames.FEEDBACK, 3, (short) 1),
                new NewTopic(TopicNames.FEEDBACK_UNMATCHED, 1, (short) 1),
                new NewTopic(TopicNames.LEDGER_DLQ, 1, (short) 1),
                new NewTopic(TopicNames.DLQ, 1, (short) 1),
                new NewTopic(TopicNames.SHADOW, 3, (short) 1),
                new NewTopic(TopicNames.CONFIG, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                new NewTopic(TopicNames.CONFIG_STATUS, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                new NewTopic(TopicNames.PRICING, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                new NewTopic(TopicNames.PRICING_STATUS, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            for (NewTopic t : topics) {
                try {
                    admin.createTopics(List.of(t)).all().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + t.name() + ": " + e.getCause(), e);
                    }
                }
            }
        }
    }
}
