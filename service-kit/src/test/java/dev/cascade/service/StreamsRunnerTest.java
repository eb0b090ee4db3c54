package dev.cascade.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.live.LiveTable;
import dev.cascade.live.RecordValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The runner against a real broker, with a one-processor topology that fails on the value "boom". */
class StreamsRunnerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.shared();
    private String input;

    @BeforeEach
    void createInput() {
        input = "in-" + UUID.randomUUID();
        broker.createTopics(1, List.of(input));
    }

    private Topology topology() {
        Topology t = new Topology();
        t.addSource("source", new StringDeserializer(), new StringDeserializer(), input);
        t.addProcessor("fail-on-boom", FailOnBoom::new, "source");
        return t;
    }

    private Properties props() throws Exception {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "runner-test-" + UUID.randomUUID());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put("processing.exception.handler.global.enabled", "true");
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("cascade.test.dir", "target"))), "streams").toString());
        return p;
    }

    private StreamsRunner runner(List<Prerequisite> prerequisites) throws Exception {
        return StreamsRunner.of("test", topology(), props(), prerequisites);
    }

    private void send(String topic, String key, String value) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value));
        }
    }

    @Test
    void shouldReachRunningAndExitZeroWhenClosed() throws Exception {
        StreamsRunner runner = runner(List.of());
        try (runner) {
            runner.start();

            assertThat(runner.awaitRunning(WAIT)).isTrue();
            assertThat(runner.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(runner.failure()).isNull();
        }
        assertThat(runner.awaitExitCode()).isEqualTo(StreamsRunner.EXIT_OK);
        assertThat(runner.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    }

    @Test
    void shouldReportTheStreamThreadsFailureAndStopTheClient() throws Exception {
        try (StreamsRunner runner = runner(List.of())) {
            runner.start();
            assertThat(runner.awaitRunning(WAIT)).isTrue();

            send(input, "k", "boom");

            Awaitility.await().atMost(WAIT).until(() -> runner.failure() != null);
            assertThat(runner.failure()).hasRootCauseInstanceOf(IllegalStateException.class)
                    .hasRootCauseMessage("boom");
            Awaitility.await().atMost(WAIT).until(() -> runner.state() == KafkaStreams.State.ERROR);
            assertThat(runner.awaitExitCode()).isEqualTo(StreamsRunner.EXIT_FAILED);
            assertThat(runner.awaitRunning(Duration.ZERO)).as("stopped, so no longer running").isFalse();
            assertThatThrownBy(runner::rethrowFailure).isSameAs(runner.failure());
        }
    }

    @Test
    void shouldStartPrerequisitesBeforeStreamsAndCloseThemAfterItInReverseOrder() throws Exception {
        AtomicReference<StreamsRunner> ref = new AtomicReference<>();
        List<String> events = new CopyOnWriteArrayList<>();
        StreamsRunner runner = runner(List.of(new Recording("a", events, ref), new Recording("b", events, ref)));
        ref.set(runner);

        runner.start();
        assertThat(runner.awaitRunning(WAIT)).isTrue();
        runner.close();

        assertThat(events).containsExactly("a started, streams CREATED", "b started, streams CREATED",
                "b closed, streams NOT_RUNNING", "a closed, streams NOT_RUNNING");
        assertThat(runner.awaitExitCode()).isEqualTo(StreamsRunner.EXIT_OK);
    }

    @Test
    void shouldNotStartStreamsWhenAPrerequisiteCannotBecomeReady() throws Exception {
        Prerequisite notReady = new Prerequisite() {
            @Override
            public void start() {
                throw new IllegalStateException("settings not loaded within PT1M");
            }

            @Override
            public Throwable failure() {
                return null;
            }

            @Override
            public void close() {
            }
        };
        try (StreamsRunner runner = runner(List.of(notReady))) {
            assertThatThrownBy(runner::start).isInstanceOf(IllegalStateException.class)
                    .hasMessage("settings not loaded within PT1M");
            assertThat(runner.state()).isEqualTo(KafkaStreams.State.CREATED);
        }
    }

    @Test
    void shouldReportAPrerequisitesFailureAsTheRunnersWhenNoStreamThreadFailed() throws Exception {
        IllegalStateException died = new IllegalStateException("reader died");
        Prerequisite dying = new Prerequisite() {
            @Override
            public void start() {
            }

            @Override
            public Throwable failure() {
                return died;
            }

            @Override
            public void close() {
            }
        };
        StreamsRunner runner = runner(List.of(dying));
        runner.close();

        assertThat(runner.failure()).isSameAs(died);
        assertThat(runner.awaitExitCode()).isEqualTo(StreamsRunner.EXIT_FAILED);
    }

    @Test
    void shouldStopByItselfWhenAPrerequisiteDiesWhileStreamsRuns() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Throwable> death = new java.util.concurrent.atomic.AtomicReference<>();
        Prerequisite reader = new Prerequisite() {
            @Override
            public void start() {
            }

            @Override
            public Throwable failure() {
                return death.get();
            }

            @Override
            public void close() {
            }
        };
        StreamsRunner runner = runner(List.of(reader));
        runner.start();
        assertThat(runner.awaitRunning(WAIT)).isTrue();
        death.set(new IllegalStateException("reader died"));

        assertThat(runner.awaitExitCode()).as("nobody calls close: the runner stops on its own")
                .isEqualTo(StreamsRunner.EXIT_FAILED);
        assertThat(runner.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    }

    @Test
    void shouldLoadALiveTableBeforeProcessingStarts() throws Exception {
        String settings = "settings-" + UUID.randomUUID();
        broker.createTopics(1, List.of(settings));
        send(settings, "route", "cheap-first");
        LiveTable<String> table = new LiveTable<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()), settings, new Text(), (key, rejection) -> { });

        try (StreamsRunner runner = runner(List.of(new LiveTablePrerequisite(table, "settings", WAIT)))) {
            runner.start();

            assertThat(table.get("route")).isEqualTo("cheap-first");
            assertThat(runner.awaitRunning(WAIT)).isTrue();
            assertThat(runner.failure()).isNull();
        }
    }

    /** Records when it starts and closes, with the state Kafka Streams is in at that moment. */
    private record Recording(String name, List<String> events, AtomicReference<StreamsRunner> runner)
            implements Prerequisite {
        @Override
        public void start() {
            events.add(name + " started, streams " + runner.get().state());
        }

        @Override
        public Throwable failure() {
            return null;
        }

        @Override
        public void close() {
            events.add(name + " closed, streams " + runner.get().state());
        }
    }

    private static final class FailOnBoom implements Processor<String, String, Void, Void> {
        @Override
        public void process(Record<String, String> record) {
            if (record.value().equals("boom")) {
                throw new IllegalStateException("boom");
            }
        }
    }

    private static final class Text implements RecordValidator<String> {
        @Override
        public String parse(String key, byte[] value) {
            return new String(value, StandardCharsets.UTF_8);
        }

        @Override
        public JsonNode toJson(String value) {
            return TextNode.valueOf(value);
        }
    }
}
