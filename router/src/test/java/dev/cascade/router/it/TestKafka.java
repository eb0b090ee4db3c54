package dev.cascade.router.it;

import dev.cascade.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;

/** The JVM's one test broker ({@link EmbeddedKafkaBroker#shared()}) and the tests' working directory. */
final class TestKafka {
    private TestKafka() {
    }

    static EmbeddedKafkaBroker broker() {
        return EmbeddedKafkaBroker.shared();
    }

    static Path testDir() {
        return Path.of(System.getProperty("cascade.test.dir", "target"));
    }
}
