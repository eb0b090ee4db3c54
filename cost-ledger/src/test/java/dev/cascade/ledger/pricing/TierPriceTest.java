package dev.cascade.ledger.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.core.pricing.TokenPrice;
import dev.cascade.events.Json;
import dev.cascade.events.Outcome;
import dev.cascade.ledger.model.LedgerEvent;
import dev.cascade.ledger.model.TierStats;
import dev.cascade.ledger.query.Summary;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TierPriceTest {
    private static final TierPrice.Api GENERAL = new TierPrice.Api(new BigDecimal("2.50"), new BigDecimal("10.00"));

    @Test
    void shouldCostTokensExactlyAsCoreTokenPriceDoes() {
        // 1234 x 2.50 / 1e6 + 567 x 10.00 / 1e6 = 0.003085 + 0.00567
        assertThat(GENERAL.variableCost(1234, 567)).isEqualTo(new BigDecimal("0.008755"));
        assertThat(GENERAL.variableCost(1234, 567)).isEqualTo(new TokenPrice(new BigDecimal("2.50"),
                new BigDecimal("10.00")).cost(1234, 567));
        TierPrice free = new TierPrice.SelfHosted(new BigDecimal("900"), BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, BigDecimal.ZERO);
        assertThat(free.variableCost(1_000_000, 1_000_000)).isEqualTo(BigDecimal.ZERO);
    }

    @Test
    void shouldPrintTheGeneralEquivalentInTheBreakEvenAsBefore() throws Exception {
        TierStats served = TierStats.empty();
        for (int i = 0; i < 1000; i++) {
            served = served.add(new LedgerEvent(LedgerEvent.Kind.ATTEMPT, "default", "small", Outcome.ACCEPTED, 1000,
                    100, 50, BigDecimal.ZERO, false, null, null, i == 999 ? 3_600_000L : 0));
        }
        TierPrice small = new TierPrice.SelfHosted(new BigDecimal("730.5"), BigDecimal.ZERO, new BigDecimal("1000"),
                BigDecimal.ZERO, BigDecimal.ZERO);
        String json = Json.mapper().writeValueAsString(Summary.breakeven(Map.of("default|small", served),
                Map.of("small", small, "general", GENERAL), "general"));
        // 1000 answers x (1000 x 2.50 + 100 x 10.00) / 1e6: 3.5, printed without trailing zeros as it always was
        assertThat(json).contains("\"variable_cost_usd\":0,\"general_equivalent_usd\":3.5,");
        assertThat(json).contains("\"monthly_all_general_usd\":2556.75,");
    }
}
