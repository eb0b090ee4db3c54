package dev.cascade.ledger.pricing;

import dev.cascade.events.MoneyBounds;
import dev.cascade.events.PricingRecord;
import java.math.BigDecimal;

/**
 * Converts between a tier's pricing record (the shape of the config file's entries and of {@code cascade.pricing})
 * and its {@link TierPrice}, validating on the way in. Pure and thread-safe.
 */
public final class PriceRecords {
    private PriceRecords() {
    }

    /** The price a record describes; an {@link IllegalArgumentException} names the first problem and its value. */
    public static TierPrice toPrice(PricingRecord p) {
        BigDecimal in = nonNegative("input_usd_per_1m_tokens", p.inputUsdPerMillion());
        BigDecimal out = nonNegative("output_usd_per_1m_tokens", p.outputUsdPerMillion());
        String kind = p.kind() == null ? "" : p.kind();
        switch (kind) {
            case PricingRecord.API -> {
                if (p.gpuHourUsd() != null || p.monthlyUsd() != null || p.tuningUsd() != null
                        || p.maintenanceMonthlyUsd() != null) {
                    throw new IllegalArgumentException("an api tier has only token prices");
                }
                return new TierPrice.Api(in, out);
            }
            case PricingRecord.SELF_HOSTED -> {
                return new TierPrice.SelfHosted(hosting(p), nonNegative("maintenance_monthly_usd",
                        p.maintenanceMonthlyUsd()), nonNegative("tuning_usd", p.tuningUsd()), in, out);
            }
            default -> throw new IllegalArgumentException("kind must be api or self_hosted, got '" + kind + "'");
        }
    }

    /** The record of a price, as reported in pricing status records (a self-hosted tier by its monthly amount). */
    public static PricingRecord toRecord(TierPrice price) {
        if (price instanceof TierPrice.SelfHosted sh) {
            return new PricingRecord(PricingRecord.SELF_HOSTED, null, null, sh.hostingMonthly(),
                    sh.maintenanceMonthly(), sh.tuningUsd(), sh.inputPerMillion(), sh.outputPerMillion());
        }
        return new PricingRecord(PricingRecord.API, null, null, null, null, null, price.inputPerMillion(),
                price.outputPerMillion());
    }

    private static BigDecimal hosting(PricingRecord p) {
        if (p.gpuHourUsd() != null && p.monthlyUsd() == null) {
            int instances = p.instances() == null ? 1 : p.instances();
            if (instances < 1) {
                throw new IllegalArgumentException("instances must be >= 1, got " + instances);
            }
            return nonNegative("gpu_hour_usd", p.gpuHourUsd()).multiply(BigDecimal.valueOf(instances))
                    .multiply(TierPrice.HOURS_PER_MONTH);
        }
        if (p.monthlyUsd() != null && p.gpuHourUsd() == null) {
            return nonNegative("monthly_usd", p.monthlyUsd());
        }
        throw new IllegalArgumentException("a self_hosted tier needs exactly one of gpu_hour_usd "
                + "(with instances) or monthly_usd; it is never priced as $0 by omission");
    }

    private static BigDecimal nonNegative(String field, BigDecimal v) {
        if (v == null) {
            return BigDecimal.ZERO;
        }
        String problem = MoneyBounds.problem(field, v);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return v;
    }
}
