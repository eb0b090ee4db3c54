package dev.cascade.router.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.live.InvalidRecordException;
import dev.cascade.live.RecordValidator;
import dev.cascade.core.PolicyParser;
import dev.cascade.core.RoutePolicy;

/** The routing-policy rules of {@link PolicyParser} as a validator for the config topic. Thread-safe. */
public final class PolicyValidator implements RecordValidator<RoutePolicy> {
    private final PolicyParser parser;

    public PolicyValidator(PolicyParser parser) {
        this.parser = parser;
    }

    @Override
    public RoutePolicy parse(String route, byte[] value) throws InvalidRecordException {
        PolicyParser.Result result = parser.parse(route, value);
        if (result instanceof PolicyParser.Result.Valid v) {
            return v.policy();
        }
        throw new InvalidRecordException(((PolicyParser.Result.Invalid) result).reason());
    }

    @Override
    public JsonNode toJson(RoutePolicy policy) {
        return PolicyParser.toJson(policy);
    }
}
