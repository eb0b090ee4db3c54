package dev.cascade.ledger.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.events.Outcome;
import dev.cascade.ledger.model.LedgerEvent;
import dev.cascade.ledger.model.TierStats;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictTest {
    private static final TierPrice.Api GENERAL = new TierPrice.Api(new BigDecimal("2.50"), new BigDecimal("10.00"));
    private static final long HOUR = 3_600_000L;

    /** {@code n} accepted answers of 1000 prompt and 100 completion tokens spread over one hour. */
    private static TierStats served(int n, BigDecimal costEach) {
        TierStats s = TierStats.empty();
        for (int i = 0; i < n; i++) {
            s = s.add(new LedgerEvent(LedgerEvent.Kind.ATTEMPT, "default", "t", Outcome.ACCEPTED, 1000, 100, 50, costEach,
                    false, null, null, i == n - 1 ? HOUR : 0));
        }
        return s;
    }

    @Test
    void shouldPayOffWhenVolumeCoversFixedCost() {
        // each answer would cost 1000*2.5/1e6 + 100*10/1e6 = 0.0035 on the general API; self-hosted costs 0 each
        TierPrice.SelfHosted small = new TierPrice.SelfHosted(new BigDecimal("730.5"), BigDecimal.ZERO,
                new BigDecimal("1000"), BigDecimal.ZERO, BigDecimal.ZERO);
        Verdict.CascadeVerdict v = Verdict.compute(Map.of("small", served(1000, BigDecimal.ZERO)),
                Map.of("small", small, "general", GENERAL), "general");
        Verdict.TierVerdict t = v.tiers().get(0);
        // 1000 answers an hour = 730,500 a month; saves 0.0035 each = 2556.75, minus 730.5 fixed
        assertThat(t.monthlyQueries()).isEqualByComparingTo("730500");
        assertThat(t.monthlyNetSavings()).isEqualByComparingTo("1826.25");
        // break-even: 730.5 / 0.0035 = 208,714 queries a month
        assertThat(t.breakEven()).isEqualByComparingTo("208714");
        assertThat(t.paybackMonths()).isEqualByComparingTo("0.55");
        assertThat(t.paysOff()).isTrue();
        assertThat(t.qualityDelta()).isNull();
        assertThat(t.sentence()).contains("pays off now");
        assertThat(v.paysOff()).isTrue();
        assertThat(v.chart()).hasSize(21);
        assertThat(v.missingPricing()).isEmpty();
    }

    @Test
    void shouldSayAtWhatVolumeItWouldPayOffAndReportMissingPricing() {
        TierPrice.SelfHosted big = new TierPrice.SelfHosted(new BigDecimal("100000"), new BigDecimal("500"),
                BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);
        Verdict.CascadeVerdict v = Verdict.compute(Map.of("large", served(10, BigDecimal.ZERO),
                "mystery", served(5, BigDecimal.ZERO)), Map.of("large", big, "general", GENERAL), "general");
        Verdict.TierVerdict t = v.tiers().get(0);
        assertThat(t.paysOff()).isFalse();
        assertThat(t.sentence()).contains("does not pay off yet").contains("would pay off from");
        assertThat(t.paybackMonths()).isNull();
        assertThat(v.missingPricing()).containsExactly("mystery");
        assertThat(v.sentence()).contains("does not pay off yet");
    }

    @Test
    void shouldNeverPayOffWhenSelfHostedCostsMorePerQuery() {
        TierPrice.SelfHosted pricey = new TierPrice.SelfHosted(BigDecimal.TEN, BigDecimal.ZERO, BigDecimal.ZERO,
                new BigDecimal("100"), new BigDecimal("100"));
        Verdict.CascadeVerdict v = Verdict.compute(Map.of("x", served(10, new BigDecimal("0.11"))),
                Map.of("x", pricey, "general", GENERAL), "general");
        assertThat(v.tiers().get(0).breakEven()).isNull();
        assertThat(v.tiers().get(0).sentence()).contains("any volume");
    }
}
