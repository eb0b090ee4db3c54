package dev.cascade.core.pricing;

import dev.cascade.events.MoneyBounds;
import java.math.BigDecimal;

/**
 * Variable price of a tier: US dollars per one million input (prompt) and output (completion) tokens. Costs are
 * exact decimals (no rounding, never {@code double}). Self-hosted tiers usually have zero variable price here; their
 * fixed costs belong to the ledger. Immutable.
 */
public record TokenPrice(BigDecimal inputUsdPerMillion, BigDecimal outputUsdPerMillion) {
    public static final TokenPrice FREE = new TokenPrice(BigDecimal.ZERO, BigDecimal.ZERO);

    public TokenPrice {
        if (inputUsdPerMillion == null || outputUsdPerMillion == null) {
            throw new IllegalArgumentException("both input and output prices are required");
        }
        if (inputUsdPerMillion.signum() < 0 || outputUsdPerMillion.signum() < 0) {
            throw new IllegalArgumentException("prices must be >= 0, got " + inputUsdPerMillion + " and "
                    + outputUsdPerMillion);
        }
        String problem = MoneyBounds.problem("input price", inputUsdPerMillion);
        problem = problem != null ? problem : MoneyBounds.problem("output price", outputUsdPerMillion);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Exact cost in US dollars of a call with these token counts. */
    public BigDecimal cost(long promptTokens, long completionTokens) {
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0, got " + promptTokens + ", "
                    + completionTokens);
        }
        BigDecimal micro = inputUsdPerMillion.multiply(BigDecimal.valueOf(promptTokens))
                .add(outputUsdPerMillion.multiply(BigDecimal.valueOf(completionTokens)));
        return normalise(micro.movePointLeft(6));
    }

    /** Plain, trailing-zero-free form, so equal amounts compare and print alike. */
    public static BigDecimal normalise(BigDecimal usd) {
        BigDecimal stripped = usd.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
