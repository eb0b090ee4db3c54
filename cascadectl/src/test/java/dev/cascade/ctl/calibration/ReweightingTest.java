package dev.cascade.ctl.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReweightingTest {
    private static PolicyScore score(int queries, long correct, long terminalCorrect, String usd) {
        return new PolicyScore(queries, correct, terminalCorrect, OutcomeMatrix.toFemto(new BigDecimal(usd)));
    }

    /** Three strata, shares 1/4, 1/4, 1/2; the policy keeps 90 %, 125 % and 75 % of the terminal's accuracy. */
    private static final StratifiedScore POLICY = new StratifiedScore(List.of("a", "b", "c"),
            List.of(score(10, 9, 10, "0.002"), score(10, 10, 8, "0.004"), score(20, 12, 16, "0.010")),
            score(40, 31, 34, "0.016"));
    private static final StratifiedScore TERMINAL = new StratifiedScore(List.of("a", "b", "c"),
            List.of(score(10, 10, 10, "0.02"), score(10, 8, 8, "0.02"), score(20, 16, 16, "0.05")),
            score(40, 34, 34, "0.09"));

    @Test
    void shouldReproduceTheFileMixWhenTheSharesAreTheObservedOnes() {
        Reweighting.Result r = Reweighting.apply(POLICY, TERMINAL, Reweighting.observed(POLICY));
        assertThat(Reweighting.observed(POLICY).shares()).containsExactly(0.25, 0.25, 0.5);
        assertThat(r.accuracy()).isCloseTo(31 / 40.0, within(1e-12));
        assertThat(r.ratio()).isCloseTo(31 / 34.0, within(1e-12));
        assertThat(r.costPer1k()).isEqualByComparingTo("0.4"); // 0.016 USD over 40 queries
        assertThat(r.terminalCostPer1k()).isEqualByComparingTo("2.25");
    }

    @Test
    void shouldDoubleOneStratumAndScaleTheOthersToFillTheRest() {
        Reweighting.Mix doubled = Reweighting.scaled(POLICY, 0, 2);
        assertThat(doubled.name()).isEqualTo("a x2");
        assertThat(doubled.shares().get(0)).isEqualTo(0.5);
        assertThat(doubled.shares().get(1)).isCloseTo(1 / 6.0, within(1e-15));
        assertThat(doubled.shares().get(2)).isCloseTo(1 / 3.0, within(1e-15));
        Reweighting.Result r = Reweighting.apply(POLICY, TERMINAL, doubled);
        // accuracy 0.5 x 0.9 + 1/6 x 1.0 + 1/3 x 0.6; the terminal's 0.5 x 1.0 + 1/6 x 0.8 + 1/3 x 0.8 = 0.9
        assertThat(r.accuracy()).isCloseTo(0.45 + 1 / 6.0 + 0.2, within(1e-12));
        assertThat(r.terminalAccuracy()).isCloseTo(0.9, within(1e-12));
        assertThat(r.ratio()).isCloseTo((0.65 + 1 / 6.0) / 0.9, within(1e-12));
        // cost per query 0.5 x 0.0002 + 1/6 x 0.0004 + 1/3 x 0.0005 = 1/3000 USD
        assertThat(r.costPer1k().doubleValue()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(r.terminalCostPer1k().doubleValue()).isCloseTo(1 + 1 / 3.0 + 2.5 / 3, within(1e-12));
    }

    @Test
    void shouldRemoveAStratumAndDoubleAnotherExactly() {
        Reweighting.Result removed = Reweighting.apply(POLICY, TERMINAL, Reweighting.scaled(POLICY, 2, 0));
        assertThat(removed.mix().name()).isEqualTo("c removed");
        assertThat(removed.mix().shares()).containsExactly(0.5, 0.5, 0.0);
        assertThat(removed.ratio()).isCloseTo(0.95 / 0.9, within(1e-12));
        assertThat(removed.costPer1k()).isEqualByComparingTo("0.3");

        Reweighting.Mix pair = Reweighting.doubledAndRemoved(POLICY, 0, 1);
        assertThat(pair.name()).isEqualTo("a x2, b removed");
        assertThat(pair.shares()).containsExactly(0.5, 0.0, 0.5);
        assertThat(Reweighting.apply(POLICY, TERMINAL, pair).ratio()).isCloseTo(0.75 / 0.9, within(1e-12));
        // doubling c (a half) leaves no room for anything else: c alone
        assertThat(Reweighting.doubledAndRemoved(POLICY, 2, 0).shares()).containsExactly(0.0, 0.0, 1.0);
    }

    @Test
    void shouldFindTheWorstMixWithinTheShiftAtAVertex() {
        Reweighting.Result worst = Reweighting.worstWithin(POLICY, TERMINAL, 2);
        // c keeps the least (75 %) and may take every query (2 x 1/2), so the worst mix is c alone
        assertThat(worst.mix().shares()).containsExactly(0.0, 0.0, 1.0);
        assertThat(worst.ratio()).isCloseTo(0.75, within(1e-12));
        // with shares at most 1.5x, c can hold 3/4 and a (the next worst) takes the rest
        Reweighting.Result tighter = Reweighting.worstWithin(POLICY, TERMINAL, 1.5);
        assertThat(tighter.mix().shares()).containsExactly(0.25, 0.0, 0.75);
        assertThat(tighter.ratio()).isCloseTo((0.225 + 0.45) / (0.25 + 0.6), within(1e-12));
    }

    @Test
    void shouldRefuseAMixThatIsNotOne() {
        assertThatThrownBy(() -> new Reweighting.Mix("bad", List.of(0.5, 0.6))).hasMessageContaining("summing to 1");
        StratifiedScore empty = new StratifiedScore(List.of("a", "b"), List.of(score(10, 9, 10, "0.002"),
                score(0, 0, 0, "0")), score(10, 9, 10, "0.002"));
        assertThatThrownBy(() -> Reweighting.apply(empty, empty, new Reweighting.Mix("m", List.of(0.5, 0.5))))
                .hasMessageContaining("stratum 'b', which has no queries");
    }
}
