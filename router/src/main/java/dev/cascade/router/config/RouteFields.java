package dev.cascade.router.config;

import dev.cascade.core.RoutePolicy;
import dev.cascade.core.TierStep;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** A route of the config file ({@code routes.<name>}): its tiers, shadow rate, quality target and deadline. */
final class RouteFields {
    private RouteFields() {
    }

    static RoutePolicy parse(String name, Fields f, List<String> errors) {
        List<TierStep> steps = new ArrayList<>();
        List<Object> tierList = f.list("tiers");
        for (int i = 0; i < tierList.size(); i++) {
            Fields step = f.child("tiers[" + i + "]", tierList.get(i));
            String tier = step.requiredString("name");
            BigDecimal t = step.decimal("threshold", null);
            Double threshold = t == null ? null : t.doubleValue();
            step.rejectUnknown();
            if (tier == null) {
                return null;
            }
            try {
                steps.add(new TierStep(tier, threshold));
            } catch (IllegalArgumentException e) {
                errors.add("routes." + name + ": " + e.getMessage());
                return null;
            }
        }
        BigDecimal shadow = f.decimal("shadow_rate", null);
        BigDecimal target = f.decimal("target_quality", null);
        String reference = f.string("reference", null);
        long deadlineMs = f.integer("deadline_ms", 0, 1, RoutePolicy.MAX_DEADLINE_MS); // 0: none
        f.rejectUnknown();
        try {
            return new RoutePolicy(name, steps, shadow == null ? 0.0 : shadow.doubleValue(),
                    target == null ? null : target.doubleValue(), reference, deadlineMs == 0 ? null : deadlineMs);
        } catch (IllegalArgumentException e) {
            errors.add("routes." + name + ": " + e.getMessage());
            return null;
        }
    }
}
