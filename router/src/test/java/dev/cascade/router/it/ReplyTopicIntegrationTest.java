package dev.cascade.router.it;

import static dev.cascade.router.it.KafkaIO.header;
import static dev.cascade.router.it.KafkaIO.text;
import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.events.DeadLetterHeaders;
import dev.cascade.kafka.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * A {@code reply_to} topic that the allow-list admits but that does not exist, on a broker that does not create
 * topics on demand (as production brokers are set): the query is dead-lettered at the door, bytes unchanged, no tier
 * is paid, and the router keeps answering everything else. A reply topic created after the router started is found.
 */
class ReplyTopicIntegrationTest {

    @Test
    void shouldDeadLetterAQueryWhoseReplyTopicDoesNotExistAndKeepAnswering() throws Exception {
        Path data = TestKafka.testDir().resolve("no-auto-create-" + System.nanoTime());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(data, 0, 0, true,
                Map.of("auto.create.topics.enable", "false"));
             RouterHarness h = new RouterHarness(broker, doc -> { }).start()) {
            String suffix = h.appId.substring(h.appId.length() - 8);
            String missing = "a-" + suffix + "-missing-reply";
            String value = "{\"id\":\"q-missing\",\"prompt\":\"hello\",\"reply_to\":\"" + missing + "\"}";
            h.io.send(h.topics.queries(), "q-missing", value);
            h.query("q-plain", null, "hello");

            List<ConsumerRecord<byte[], byte[]>> dlq = h.read(h.topics.dlq(), 1, Duration.ofSeconds(30));
            assertThat(dlq).as("dead-lettered at the door").hasSize(1);
            assertThat(text(dlq.get(0).value())).isEqualTo(value);
            assertThat(header(dlq.get(0), DeadLetterHeaders.REASON)).isEqualTo("reply_to_missing");
            assertThat(header(dlq.get(0), DeadLetterHeaders.DETAIL)).contains(missing).contains("does not exist");
            List<ConsumerRecord<byte[], byte[]>> answers = h.read(h.topics.answers(), 1, Duration.ofSeconds(30));
            assertThat(answers).extracting(r -> json(r).path("id").asText()).containsExactly("q-plain");

            // a reply topic created now, never seen by the router before, gets its answer
            String later = "a-" + suffix + "-later-reply";
            broker.createTopics(1, List.of(later));
            h.io.send(h.topics.queries(), "q-later", "{\"id\":\"q-later\",\"prompt\":\"hi\",\"reply_to\":\""
                    + later + "\"}");
            assertThat(h.read(later, 1, Duration.ofSeconds(30))).extracting(r -> json(r).path("id").asText())
                    .containsExactly("q-later");

            assertThat(h.simulator.requests("small-model")).as("no tier paid for the refused query").isEqualTo(2);
            assertThat(broker.admin().listTopics().names().get()).as("nothing created").doesNotContain(missing);
            assertThat(h.app.failure()).isNull();
            assertThat(h.app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }
}
