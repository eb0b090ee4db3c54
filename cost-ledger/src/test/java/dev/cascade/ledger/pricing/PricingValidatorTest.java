package dev.cascade.ledger.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.events.Json;
import dev.cascade.live.InvalidRecordException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PricingValidatorTest {
    private final PricingValidator validator = new PricingValidator("general");

    private TierPrice parse(String tier, String json) throws InvalidRecordException {
        return validator.parse(tier, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPriceGpuHoursPerMonthAndReportTheAmountsAsWritten() throws Exception {
        TierPrice small = parse("small", "{\"kind\":\"self_hosted\",\"gpu_hour_usd\":1.10,\"instances\":2,"
                + "\"maintenance_monthly_usd\":100,\"tuning_usd\":2000}");
        // 1.10 x 2 x 730.5 + 100
        assertThat(small.fixedMonthly()).isEqualByComparingTo("1707.1");
        assertThat(Json.mapper().writeValueAsString(validator.toJson(small))).isEqualTo("{\"kind\":\"self_hosted\","
                + "\"monthly_usd\":1607.100,\"maintenance_monthly_usd\":100,\"tuning_usd\":2000,"
                + "\"input_usd_per_1m_tokens\":0,\"output_usd_per_1m_tokens\":0}");
        TierPrice general = parse("general", "{\"kind\":\"api\",\"input_usd_per_1m_tokens\":2.50,"
                + "\"output_usd_per_1m_tokens\":10.00}");
        assertThat(general).isEqualTo(new TierPrice.Api(new BigDecimal("2.50"), new BigDecimal("10.00")));
        assertThat(Json.mapper().writeValueAsString(validator.toJson(general))).isEqualTo(
                "{\"kind\":\"api\",\"input_usd_per_1m_tokens\":2.50,\"output_usd_per_1m_tokens\":10.00}");
    }

    @Test
    void shouldRejectWhatTheConfigFileRejectsAndKeepTheReferenceTierAnApi() {
        assertThatThrownBy(() -> parse("small", "{\"kind\":\"self_hosted\",\"monthly_usd\":-5}"))
                .isInstanceOf(InvalidRecordException.class).hasMessage("monthly_usd must be >= 0, got -5");
        assertThatThrownBy(() -> parse("small", "{\"kind\":\"self_hosted\",\"monthly_usd\":1e999999999}"))
                .hasMessage("monthly_usd must be below 10^12, got 1E+999999999");
        assertThatThrownBy(() -> parse("small", "{\"kind\":\"api\",\"input_usd_per_1m_tokens\":1e-40}"))
                .hasMessage("input_usd_per_1m_tokens has more than 18 decimal places: 1E-40");
        assertThatThrownBy(() -> parse("small", "{\"kind\":\"self_hosted\"}"))
                .hasMessageContaining("it is never priced as $0 by omission");
        assertThatThrownBy(() -> parse("small", "{\"kind\":\"api\",\"tuning_usd\":5}"))
                .hasMessage("an api tier has only token prices");
        assertThatThrownBy(() -> parse("small", "{\"kind\":\"self_hosted\",\"gpu_hour_usd\":1,\"instances\":0}"))
                .hasMessage("instances must be >= 1, got 0");
        assertThatThrownBy(() -> parse("small", "{\"kind\":\"self_hosted\",\"monthly_usd\":5,\"colour\":\"red\"}"))
                .hasMessageStartingWith("not a JSON pricing record: ").hasMessageContaining("colour");
        assertThatThrownBy(() -> parse("general", "{\"kind\":\"self_hosted\",\"monthly_usd\":5}"))
                .hasMessage("'general' is the reference tier and must keep api pricing");
    }
}
