package dev.cascade.ctl.calibration;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Recorded outcomes as primitive columns, one row per query and one column per model, for searches that evaluate
 * millions of candidate policies. Money is held as whole femto-dollars (10^-15 USD) in {@code long}: recorded
 * costs have at most a few significant digits below a micro-dollar, so the conversion is exact for them and sums
 * stay integers. A long holds about 9,223 US dollars of femto-dollars: sums use {@link Math#addExact}, so a file
 * whose total passes that fails with an {@link ArithmeticException} rather than a wrong figure.
 */
final class OutcomeMatrix {
    static final int FEMTO_SCALE = 15;

    final List<String> models;
    final int queries;
    final double[][] confidence;
    final boolean[][] correct;
    final long[][] costFemto;

    OutcomeMatrix(List<QueryOutcomes> rows, List<String> models) {
        this.models = List.copyOf(models);
        this.queries = rows.size();
        confidence = new double[models.size()][queries];
        correct = new boolean[models.size()][queries];
        costFemto = new long[models.size()][queries];
        for (int q = 0; q < queries; q++) {
            QueryOutcomes row = rows.get(q);
            for (int m = 0; m < models.size(); m++) {
                ModelOutcome o = row.outcomes().get(models.get(m));
                if (o == null) {
                    throw new IllegalArgumentException("query " + row.id() + " has no outcome for model '"
                            + models.get(m) + "'");
                }
                confidence[m][q] = o.confidence();
                correct[m][q] = o.correct();
                costFemto[m][q] = toFemto(o.costUsd());
            }
        }
    }

    int index(String model) {
        int i = models.indexOf(model);
        if (i < 0) {
            throw new IllegalArgumentException("unknown model '" + model + "' (file has " + models + ")");
        }
        return i;
    }

    static long toFemto(BigDecimal usd) {
        return usd.movePointRight(FEMTO_SCALE).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    static BigDecimal fromFemto(long femto) {
        return BigDecimal.valueOf(femto, FEMTO_SCALE).stripTrailingZeros();
    }
}
