package dev.cascade.ctl.calibration;

import dev.cascade.core.CallResult;
import dev.cascade.core.Decision;
import dev.cascade.core.RoutePolicy;
import dev.cascade.core.TierStep;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a cascade would have done on recorded outcomes, without touching a cluster: for each query the tiers are tried
 * in order, each costs its recorded cost, and the first answer the router's {@link Decision} accepts (confidence at
 * or above the tier's threshold, or the terminal tier's) is served. Tier names are the file's model names. Pure.
 */
public final class WhatIf {
    /** The result over a set of queries; {@code totalCost} is exact, {@code costPerQuery} is rounded to 16 digits. */
    public record Report(int queries, double accuracy, BigDecimal totalCost, BigDecimal costPerQuery,
                         Map<String, Long> servedBy,
                         Map<String, Long> called, double meanLatencyMs, double p95LatencyMs) {
        public BigDecimal costPer1k() {
            return costPerQuery.multiply(BigDecimal.valueOf(1000));
        }
    }

    private WhatIf() {
    }

    public static Report evaluate(List<TierStep> tiers, List<QueryOutcomes> queries) {
        long correct = 0;
        BigDecimal cost = BigDecimal.ZERO;
        Map<String, Long> served = new LinkedHashMap<>();
        Map<String, Long> called = new LinkedHashMap<>();
        tiers.forEach(t -> {
            served.put(t.tier(), 0L);
            called.put(t.tier(), 0L);
        });
        List<Double> latencies = new ArrayList<>(queries.size());
        RoutePolicy policy = new RoutePolicy("whatif", tiers);
        for (QueryOutcomes q : queries) {
            double latency = 0;
            for (int i = 0; i < tiers.size(); i++) {
                TierStep step = tiers.get(i);
                ModelOutcome o = q.outcomes().get(step.tier());
                if (o == null) {
                    throw new IllegalArgumentException("query " + q.id() + " has no outcome for model '"
                            + step.tier() + "'");
                }
                cost = cost.add(o.costUsd());
                latency += o.latencyMs();
                called.merge(step.tier(), 1L, Long::sum);
                if (Decision.decide(policy, i, CallResult.answered(o.confidence())).action()
                        == Decision.Action.ANSWER) {
                    served.merge(step.tier(), 1L, Long::sum);
                    correct += o.correct() ? 1 : 0;
                    break;
                }
            }
            latencies.add(latency);
        }
        Collections.sort(latencies);
        double mean = latencies.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double p95 = latencies.isEmpty() ? 0 : latencies.get(Math.max(0, (int) Math.ceil(0.95 * latencies.size()) - 1));
        return new Report(queries.size(), queries.isEmpty() ? 0 : correct / (double) queries.size(), cost,
                queries.isEmpty() ? BigDecimal.ZERO : cost.divide(BigDecimal.valueOf(queries.size()),
                        MathContext.DECIMAL64), served, called, mean, p95);
    }
}
