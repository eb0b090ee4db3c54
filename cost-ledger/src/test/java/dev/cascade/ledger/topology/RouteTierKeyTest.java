package dev.cascade.ledger.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.events.RouteTier;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code route|tier} key: written once by the topology, read back by the queries and the API. */
class RouteTierKeyTest {

    @Test
    void shouldRoundTripTheKeyAndTheStoredBytes() {
        RouteTier rt = new RouteTier("default", "small");
        assertThat(rt.key()).isEqualTo("default|small");
        assertThat(RouteTier.parse(rt.key())).isEqualTo(rt);

        byte[] stored = LedgerTopology.ROUTE_TIER.serializer().serialize("answered-by", rt);
        // the answered-by store held the key as a plain UTF-8 string before; it still does
        assertThat(stored).isEqualTo("default|small".getBytes(StandardCharsets.UTF_8));
        assertThat(LedgerTopology.ROUTE_TIER.deserializer().deserialize("answered-by", stored)).isEqualTo(rt);
        assertThat(LedgerTopology.ROUTE_TIER.serializer().serialize("answered-by", null)).isNull();
        assertThat(LedgerTopology.ROUTE_TIER.deserializer().deserialize("answered-by", null)).isNull();
    }

    @Test
    void shouldSplitAtTheLastSeparatorAndRefuseATierContainingOne() {
        assertThat(RouteTier.parse("eu|default|small")).isEqualTo(new RouteTier("eu|default", "small"));
        assertThatThrownBy(() -> new RouteTier("default", "a|b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteTier.parse("no-separator")).isInstanceOf(IllegalArgumentException.class);
    }
}
