package dev.cascade.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class MoneyBoundsTest {
    @Test
    void shouldAcceptOrdinaryAmountsAtTheEdgesOfTheRange() {
        for (String ok : new String[]{"0", "0E-40", "0.000000000000000001", "999999999999.999999999999999999",
                "1.5000000000000000000000", "2.50", "1E+11"}) {
            assertThat(MoneyBounds.problem("cost_usd", new BigDecimal(ok))).as(ok).isNull();
        }
        assertThat(MoneyBounds.problem("cost_usd", null)).isNull();
    }

    @Test
    void shouldRefuseAmountsThatAreNegativeTooPreciseOrTooLargeWithoutExpandingThem() {
        assertThat(MoneyBounds.problem("cost_usd", new BigDecimal("-0.01"))).isEqualTo("cost_usd must be >= 0, got -0.01");
        assertThat(MoneyBounds.problem("cost_usd", new BigDecimal("0.0000000000000000001")))
                .isEqualTo("cost_usd has more than 18 decimal places: 1E-19");
        assertThat(MoneyBounds.problem("cost_usd", new BigDecimal("1000000000000")))
                .isEqualTo("cost_usd must be below 10^12, got 1000000000000");
        assertThat(MoneyBounds.problem("cost_usd", new BigDecimal("1e999999999")))
                .isEqualTo("cost_usd must be below 10^12, got 1E+999999999");
    }
}
