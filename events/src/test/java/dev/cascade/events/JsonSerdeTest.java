package dev.cascade.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {
    private final JsonSerde<AttemptEvent> serde = JsonSerde.of(AttemptEvent.class);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldMapNullToNullBothWays() {
        assertThat(serde.serializer().serialize("cascade.attempts", null)).isNull();
        assertThat(serde.deserializer().deserialize("cascade.attempts", null)).isNull();
        assertThat(serde.toBytes(null)).isNull();
        assertThat(serde.fromBytes(null)).isNull();
    }

    @Test
    void shouldRoundTripThroughKafkaSerializerAndDeserializer() {
        AttemptEvent event = new AttemptEvent("q-1", "default", "small", "m", Outcome.TIMEOUT, null, 0.7, 10, 0,
                5000, new BigDecimal("0.00001"), true, 42L, "timed out");

        byte[] bytes = serde.serializer().serialize("cascade.attempts", event);

        assertThat(serde.deserializer().deserialize("cascade.attempts", bytes)).isEqualTo(event);
    }

    @Test
    void shouldWrapBytesThatAreNotJsonInSerializationException() {
        assertThatThrownBy(() -> serde.deserializer().deserialize("cascade.attempts", utf8("{not json")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("not a valid AttemptEvent")
                .hasCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    void shouldWrapValueOfTheWrongShapeInSerializationException() {
        assertThatThrownBy(() -> serde.fromBytes(utf8("{\"query_id\":\"q\",\"outcome\":\"MAYBE\"}")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("AttemptEvent")
                .hasMessageContaining("MAYBE");
    }

    @Test
    void shouldRejectNestingDeeperThanTheLimit() {
        int depth = Json.MAX_NESTING_DEPTH + 10;
        String hostile = "{\"query_id\":\"q\",\"extra\":" + "[".repeat(depth) + "]".repeat(depth) + "}";

        assertThatThrownBy(() -> serde.fromBytes(utf8(hostile)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("nesting depth");
    }

    @Test
    void shouldAcceptNestingWithinTheLimit() {
        int depth = Json.MAX_NESTING_DEPTH - 2;
        String nested = "{\"query_id\":\"q\",\"extra\":" + "[".repeat(depth) + "]".repeat(depth) + "}";

        assertThat(serde.fromBytes(utf8(nested)).queryId()).isEqualTo("q");
    }
}
