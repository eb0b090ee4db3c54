package dev.cascade.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one), running in this JVM on loopback.
 *
 * <p>Used by integration tests and by the local stack; not for production. Not thread-safe: start and close it from
 * one thread.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int port;
    private final KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path dataDir, boolean deleteOnClose, int port, KafkaRaftServer server) {
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
        this.server = server;
    }

    private static EmbeddedKafkaBroker shared;

    /**
     * One broker per JVM for tests: started on first use under {@code cascade.test.dir} (default {@code target}) and
     * stopped when the JVM exits. Thread-safe.
     */
    public static synchronized EmbeddedKafkaBroker shared() {
        if (shared == null) {
            try {
                shared = startFresh(Path.of(System.getProperty("cascade.test.dir", "target")).resolve("kafka"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            EmbeddedKafkaBroker b = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(b::close, "test-broker-shutdown"));
        }
        return shared;
    }

    /** Starts a broker on free loopback ports with a fresh data directory under {@code parent}, removed on close. */
    public static EmbeddedKafkaBroker startFresh(Path parent) throws IOException {
        Files.createDirectories(parent);
        return start(Files.createTempDirectory(parent, "kafka-"), 0, 0, true, Map.of());
    }

    /**
     * Starts a broker.
     *
     * @param dataDir        log directory; formatted if new, reused as it is otherwise
     * @param port           client port, 0 for a free one
     * @param controllerPort controller port, 0 for a free one
     * @param deleteOnClose  remove {@code dataDir} on close
     * @param overrides      extra broker properties
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort, boolean deleteOnClose,
                                            Map<String, String> overrides) throws IOException {
        return start(dataDir, port, controllerPort, deleteOnClose, overrides, List.of());
    }

    /**
     * Starts a broker, passing extra arguments to the storage format step (for example
     * {@code --add-scram SCRAM-SHA-512=[name=alice,password=secret]} to create SCRAM users).
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort, boolean deleteOnClose,
                                            Map<String, String> overrides, List<String> formatArgs)
            throws IOException {
        // Kafka's fault handlers halt the JVM; in tests and the local stack a fault must surface as an exception.
        org.apache.kafka.common.utils.Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("Kafka broker asked to halt (" + status + "): " + message);
        });
        int clientPort = port == 0 ? freePort() : port;
        int ctrlPort = controllerPort == 0 ? freePort() : controllerPort;
        Files.createDirectories(dataDir);
        Properties props = brokerProperties(dataDir.resolve("logs"), clientPort, ctrlPort);
        overrides.forEach(props::setProperty);
        Path propsFile = dataDir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(propsFile)) {
            props.store(out, "embedded KRaft broker");
        }
        format(propsFile, dataDir.resolve("cluster.id"), formatArgs);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, deleteOnClose, clientPort, server);
        broker.awaitReady(Duration.ofSeconds(60));
        return broker;
    }

    static Properties brokerProperties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("log.cleaner.dedupe.buffer.size", "4194304");
        p.setProperty("auto.create.topics.enable", "true");
        p.setProperty("num.partitions", "1");
        return p;
    }

    private static void format(Path propsFile, Path clusterIdFile, List<String> extraArgs) throws IOException {
        String clusterId;
        if (Files.exists(clusterIdFile)) {
            clusterId = Files.readString(clusterIdFile).trim();
        } else {
            clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
            Files.writeString(clusterIdFile, clusterId);
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            List<String> args = new java.util.ArrayList<>(List.of("format", "-t", clusterId, "-c",
                    propsFile.toString(), "--ignore-formatted"));
            args.addAll(extraArgs);
            StorageTool.execute(args.toArray(String[]::new), out);
        } catch (Exception e) {
            throw new IOException("formatting Kafka storage failed: " + buffer.toString(StandardCharsets.UTF_8), e);
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
            }
        }
        throw new IllegalStateException("broker on port " + port + " not ready within " + timeout, last);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Creates topics with the given partition count (replication 1); existing ones are left as they are. */
    public void createTopics(int partitions, Collection<String> names) {
        createTopics(names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList());
    }

    public void createTopics(List<NewTopic> topics) {
        try (Admin admin = admin()) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("timed out creating topics", e);
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
    }

    /** Deletes a directory tree (a data directory kept across a restart, for example). */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete " + dir, e);
        }
    }

    /** A free TCP port on loopback at the time of the call. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

}
