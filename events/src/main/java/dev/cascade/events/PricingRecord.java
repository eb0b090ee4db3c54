package dev.cascade.events;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * One tier's pricing as written on {@code cascade.pricing} (key = tier) and in the {@code pricing} entries of the
 * ledger's config file. {@code kind} is {@code api} (token prices only) or {@code self_hosted} (exactly one of
 * {@code gpu_hour_usd} with {@code instances}, or {@code monthly_usd}; optional maintenance, tuning and token prices).
 * Absent fields are null; the ledger validates the combination. Money in US dollars, exact.
 */
public record PricingRecord(@JsonProperty("kind") String kind,
                            @JsonProperty("gpu_hour_usd") BigDecimal gpuHourUsd,
                            @JsonProperty("instances") Integer instances,
                            @JsonProperty("monthly_usd") BigDecimal monthlyUsd,
                            @JsonProperty("maintenance_monthly_usd") BigDecimal maintenanceMonthlyUsd,
                            @JsonProperty("tuning_usd") BigDecimal tuningUsd,
                            @JsonProperty("input_usd_per_1m_tokens") BigDecimal inputUsdPerMillion,
                            @JsonProperty("output_usd_per_1m_tokens") BigDecimal outputUsdPerMillion) {
    public static final String API = "api";
    public static final String SELF_HOSTED = "self_hosted";
}
