package dev.cascade.ledger.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import dev.cascade.ledger.config.LedgerConfig;
import dev.cascade.live.InvalidRecordException;
import dev.cascade.live.RecordValidator;
import java.io.IOException;

/**
 * Validates a tier's pricing record on {@code cascade.pricing} (key = tier, value = the same fields as the config
 * file's {@code pricing} entries). The reference tier must stay an API tier. Thread-safe.
 */
public final class PricingValidator implements RecordValidator<TierPrice> {
    private static final ObjectReader READER = Json.mapper().readerFor(LedgerConfig.PriceFile.class)
            .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final String referenceTier;

    public PricingValidator(String referenceTier) {
        this.referenceTier = referenceTier;
    }

    @Override
    public TierPrice parse(String tier, byte[] value) throws InvalidRecordException {
        LedgerConfig.PriceFile file;
        try {
            file = READER.readValue(value);
        } catch (IOException e) {
            throw new InvalidRecordException("not a JSON pricing record: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (file == null) {
            throw new InvalidRecordException("a pricing record must be a JSON object");
        }
        TierPrice price;
        try {
            price = LedgerConfig.price(file);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException(e.getMessage());
        }
        if (tier.equals(referenceTier) && !(price instanceof TierPrice.Api)) {
            throw new InvalidRecordException("'" + tier + "' is the reference tier and must keep api pricing");
        }
        return price;
    }

    @Override
    public JsonNode toJson(TierPrice price) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        if (price instanceof TierPrice.SelfHosted sh) {
            n.put("kind", "self_hosted").put("monthly_usd", sh.hostingMonthly())
                    .put("maintenance_monthly_usd", sh.maintenanceMonthly()).put("tuning_usd", sh.tuningUsd());
        } else {
            n.put("kind", "api");
        }
        return n.put("input_usd_per_1m_tokens", price.inputPerMillion())
                .put("output_usd_per_1m_tokens", price.outputPerMillion());
    }
}
