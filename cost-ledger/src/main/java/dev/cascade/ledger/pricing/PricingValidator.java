package dev.cascade.ledger.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.cascade.events.Json;
import dev.cascade.events.PricingRecord;
import dev.cascade.live.InvalidRecordException;
import dev.cascade.live.RecordValidator;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Validates a tier's pricing record on {@code cascade.pricing} (key = tier, value = a {@link PricingRecord}, the
 * same fields as the config file's {@code pricing} entries). The reference tier must stay an API tier. Thread-safe.
 */
public final class PricingValidator implements RecordValidator<TierPrice> {
    private static final ObjectReader READER = Json.mapper().readerFor(PricingRecord.class)
            .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    /** Keeps amounts as written (1607.10 stays 1607.10 in the status record). */
    private static final ObjectReader EXACT_TREE = Json.mapper().reader()
            .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);
    private final String referenceTier;

    public PricingValidator(String referenceTier) {
        this.referenceTier = referenceTier;
    }

    @Override
    public TierPrice parse(String tier, byte[] value) throws InvalidRecordException {
        PricingRecord record;
        try {
            record = READER.readValue(value);
        } catch (IOException e) {
            throw new InvalidRecordException("not a JSON pricing record: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (record == null) {
            throw new InvalidRecordException("a pricing record must be a JSON object");
        }
        TierPrice price;
        try {
            price = PriceRecords.toPrice(record);
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
        try {
            return EXACT_TREE.readTree(Json.mapper().writeValueAsBytes(PriceRecords.toRecord(price)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the pricing of " + price, e);
        }
    }
}
