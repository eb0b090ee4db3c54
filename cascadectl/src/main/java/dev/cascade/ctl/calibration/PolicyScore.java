package dev.cascade.ctl.calibration;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * A policy's score on a set of queries: how many it answered right and what it paid (exact), next to how many the
 * terminal model answered right on the same queries, so the accuracy ratio is paired. Immutable.
 *
 * @param costFemto total cost in femto-dollars (10^-15 USD)
 */
public record PolicyScore(int queries, long correct, long terminalCorrect, long costFemto) {
    public double accuracy() {
        return queries == 0 ? 0 : correct / (double) queries;
    }

    /** Accuracy as a fraction of the terminal model's accuracy on the same queries. */
    public double ratio() {
        return terminalCorrect == 0 ? 0 : correct / (double) terminalCorrect;
    }

    public BigDecimal totalCost() {
        return OutcomeMatrix.fromFemto(costFemto);
    }

    public BigDecimal costPer1k() {
        return queries == 0 ? BigDecimal.ZERO : totalCost().multiply(BigDecimal.valueOf(1000))
                .divide(BigDecimal.valueOf(queries), MathContext.DECIMAL64);
    }

    PolicyScore plus(PolicyScore o) {
        return new PolicyScore(queries + o.queries, correct + o.correct, terminalCorrect + o.terminalCorrect,
                Math.addExact(costFemto, o.costFemto));
    }
}
