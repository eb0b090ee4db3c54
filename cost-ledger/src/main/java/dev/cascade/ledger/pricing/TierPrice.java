package dev.cascade.ledger.pricing;

import dev.cascade.core.pricing.TokenPrice;
import java.math.BigDecimal;

/**
 * What a tier costs. An API tier is paid per token; a self-hosted tier has fixed costs (GPU hours or a monthly
 * amount, plus maintenance), an optional variable cost per token, and a one-off tuning investment. Money is exact
 * ({@link BigDecimal}, US dollars); token arithmetic is core's {@link TokenPrice}, the same the router uses.
 * Immutable.
 */
public sealed interface TierPrice {
    /** Hours in an average month (365.25 days / 12). */
    BigDecimal HOURS_PER_MONTH = new BigDecimal("730.5");

    /** Variable price per one million input and output tokens. */
    BigDecimal inputPerMillion();

    BigDecimal outputPerMillion();

    /** Fixed cost per month (zero for API tiers). */
    BigDecimal fixedMonthly();

    /** The variable part as a token price. */
    default TokenPrice tokenPrice() {
        return new TokenPrice(inputPerMillion(), outputPerMillion());
    }

    /** Exact variable cost of the given tokens, in {@link TokenPrice#normalise normal form}. */
    default BigDecimal variableCost(long promptTokens, long completionTokens) {
        return tokenPrice().cost(promptTokens, completionTokens);
    }

    /** A paid API (for example the general API). */
    record Api(BigDecimal inputPerMillion, BigDecimal outputPerMillion) implements TierPrice {
        @Override
        public BigDecimal fixedMonthly() {
            return BigDecimal.ZERO;
        }
    }

    /**
     * A self-hosted tier.
     *
     * @param hostingMonthly     GPU-hour rate x instances x hours per month, or a monthly amount
     * @param maintenanceMonthly monthly maintenance (people, monitoring)
     * @param tuningUsd          one-off investment in fine-tuning the model
     */
    record SelfHosted(BigDecimal hostingMonthly, BigDecimal maintenanceMonthly, BigDecimal tuningUsd,
                      BigDecimal inputPerMillion, BigDecimal outputPerMillion) implements TierPrice {
        @Override
        public BigDecimal fixedMonthly() {
            return hostingMonthly.add(maintenanceMonthly);
        }
    }
}
