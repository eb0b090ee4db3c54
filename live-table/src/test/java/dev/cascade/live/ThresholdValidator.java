package dev.cascade.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cascade.events.Json;
import java.io.IOException;

/** A settings record for tests: {@code {"threshold": x}} with x in [0, 1]. */
final class ThresholdValidator implements RecordValidator<Double> {
    @Override
    public Double parse(String key, byte[] value) throws InvalidRecordException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(value);
        } catch (IOException e) {
            throw new InvalidRecordException("not JSON");
        }
        JsonNode threshold = root.path("threshold");
        if (!threshold.isNumber()) {
            throw new InvalidRecordException("threshold missing");
        }
        double t = threshold.asDouble();
        if (t < 0 || t > 1) {
            throw new InvalidRecordException("threshold must be in [0, 1], got " + t);
        }
        return t;
    }

    @Override
    public JsonNode toJson(Double value) {
        return JsonNodeFactory.instance.objectNode().put("threshold", value);
    }

    static String threshold(double t) {
        return "{\"threshold\":" + t + "}";
    }
}
