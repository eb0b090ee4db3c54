package dev.cascade.ledger.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.core.PolicyParser;
import dev.cascade.core.RoutePolicy;
import dev.cascade.ledger.quality.QualityTarget;
import dev.cascade.live.InvalidRecordException;
import dev.cascade.live.RecordValidator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The routing policies of the config topic as the ledger reads them: the router's rules without the deployment's
 * tier list ({@link PolicyParser#anyTier()}), for each route's {@code target_quality} and {@code reference}. A record
 * the router would refuse for a tier it does not know is accepted here; everything else is refused alike. Pure and
 * thread-safe.
 */
public final class RoutePolicies implements RecordValidator<RoutePolicy> {
    private static final PolicyParser PARSER = PolicyParser.anyTier();

    @Override
    public RoutePolicy parse(String route, byte[] value) throws InvalidRecordException {
        PolicyParser.Result result = PARSER.parse(route, value);
        if (result instanceof PolicyParser.Result.Valid v) {
            return v.policy();
        }
        throw new InvalidRecordException(((PolicyParser.Result.Invalid) result).reason());
    }

    @Override
    public JsonNode toJson(RoutePolicy policy) {
        return PolicyParser.toJson(policy);
    }

    /**
     * The targets in effect: a route with a policy on the config topic takes its target and reference from it (the
     * reference resolved to the last tier when not named); the config file's targets cover the other routes.
     */
    public static Map<String, QualityTarget> targets(Map<String, RoutePolicy> live, Map<String, QualityTarget> file) {
        Map<String, QualityTarget> out = new LinkedHashMap<>(file);
        live.forEach((route, p) -> out.put(route, new QualityTarget(p.targetQuality(), p.referenceTier())));
        return out;
    }
}
