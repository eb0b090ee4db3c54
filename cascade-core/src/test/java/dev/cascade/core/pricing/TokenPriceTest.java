package dev.cascade.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class TokenPriceTest {
    @Test
    void shouldPriceExactlyWithoutRounding() {
        TokenPrice gpt4o = new TokenPrice(new BigDecimal("2.50"), new BigDecimal("10.00"));
        // 118 * 2.5 + 1 * 10 = 305 micro-dollars
        assertThat(gpt4o.cost(118, 1)).isEqualByComparingTo("0.000305");
        TokenPrice tiny = new TokenPrice(new BigDecimal("0.10"), new BigDecimal("0.10"));
        // a single token costs a tenth of a micro-dollar: kept, not rounded away
        assertThat(tiny.cost(1, 0)).isEqualTo(new BigDecimal("0.0000001"));
    }

    @Test
    void shouldSumToTheSameAmountInAnyOrder() {
        TokenPrice p = new TokenPrice(new BigDecimal("0.15"), new BigDecimal("0.60"));
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < 1000; i++) {
            sum = sum.add(p.cost(i, i % 7));
        }
        BigDecimal reverse = BigDecimal.ZERO;
        for (int i = 999; i >= 0; i--) {
            reverse = reverse.add(p.cost(i, i % 7));
        }
        assertThat(sum).isEqualByComparingTo(reverse);
    }

    @Test
    void shouldRejectNegativePricesAndTokens() {
        assertThatThrownBy(() -> new TokenPrice(new BigDecimal("-1"), BigDecimal.ONE)).hasMessageContaining("-1");
        assertThatThrownBy(() -> TokenPrice.FREE.cost(-1, 0)).hasMessageContaining("-1");
    }
}
