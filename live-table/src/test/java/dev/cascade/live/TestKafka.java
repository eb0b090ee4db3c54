package dev.cascade.live;

import dev.cascade.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** One real KRaft broker per test JVM, started on first use and stopped when the JVM exits. */
final class TestKafka {
    private static EmbeddedKafkaBroker broker;

    private TestKafka() {
    }

    static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            try {
                broker = EmbeddedKafkaBroker.startFresh(
                        Path.of(System.getProperty("cascade.test.dir", "target")).resolve("kafka"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedKafkaBroker b = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(b::close, "test-broker-shutdown"));
        }
        return broker;
    }
}
