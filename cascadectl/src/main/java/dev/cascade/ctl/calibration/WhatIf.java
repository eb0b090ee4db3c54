package dev.cascade.ctl.calibration;

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
import java.util.TreeMap;

/**
 * What a cascade would have done on recorded outcomes, without touching a cluster: for each query the tiers are tried
 * in order, each costs its recorded cost, and the first answer the router's {@link Decision} accepts (confidence at
 * or above the tier's threshold, or the terminal tier's) is served. Tier names are the file's model names. Accuracy
 * is also given per stratum (a label field of the file, {@code task} by default) next to the reference model's
 * accuracy on the same queries, the paired ratio a shift of traffic between strata would move. Pure.
 */
public final class WhatIf {
    /** The result over a set of queries; {@code totalCost} is exact, {@code costPerQuery} is rounded to 16 digits. */
    public record Report(int queries, double accuracy, BigDecimal totalCost, BigDecimal costPerQuery,
                         Map<String, Long> servedBy,
                         Map<String, Long> called, double meanLatencyMs, double p95LatencyMs, String reference,
                         double referenceAccuracy, List<Stratum> byStratum) {
        public BigDecimal costPer1k() {
            return costPerQuery.multiply(BigDecimal.valueOf(1000));
        }

        /** Accuracy as a fraction of the reference model's on the same queries. */
        public double ratio() {
            return referenceAccuracy == 0 ? 0 : accuracy / referenceAccuracy;
        }
    }

    /** One stratum's queries: the policy's and the reference's accuracy on them and the policy's exact cost. */
    public record Stratum(String name, int queries, long correct, long referenceCorrect, BigDecimal totalCost) {
        public double accuracy() {
            return correct / (double) queries;
        }

        public double referenceAccuracy() {
            return referenceCorrect / (double) queries;
        }

        public double ratio() {
            return referenceCorrect == 0 ? 0 : correct / (double) referenceCorrect;
        }

        public BigDecimal costPer1k() {
            return totalCost.multiply(BigDecimal.valueOf(1000)).divide(BigDecimal.valueOf(queries),
                    MathContext.DECIMAL64);
        }
    }

    private WhatIf() {
    }

    /** Reference: the policy's last tier; strata: the {@code task} field. */
    public static Report evaluate(List<TierStep> tiers, List<QueryOutcomes> queries) {
        return evaluate(tiers, queries, tiers.get(tiers.size() - 1).tier(), "task");
    }

    /**
     * @param reference   the model whose accuracy on the same queries the ratios are taken to
     * @param strataField the label field that groups queries into strata, or {@link Strata#NONE}
     */
    public static Report evaluate(List<TierStep> tiers, List<QueryOutcomes> queries, String reference,
                                  String strataField) {
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, BigDecimal> costs = new TreeMap<>();
        long referenceCorrect = 0;
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
            ModelOutcome ref = q.outcomes().get(reference);
            if (ref == null) {
                throw new IllegalArgumentException("query " + q.id() + " has no outcome for reference model '"
                        + reference + "'");
            }
            referenceCorrect += ref.correct() ? 1 : 0;
            long correctBefore = correct;
            BigDecimal costBefore = cost;
            double latency = 0;
            List<ModelOutcome> chain = new ArrayList<>(tiers.size());
            for (TierStep step : tiers) {
                ModelOutcome o = q.outcomes().get(step.tier());
                if (o == null) {
                    throw new IllegalArgumentException("query " + q.id() + " has no outcome for model '"
                            + step.tier() + "'");
                }
                chain.add(o);
            }
            int servedAt = Decision.servingTier(policy, i -> chain.get(i).confidence());
            for (int i = 0; i <= servedAt; i++) {
                cost = cost.add(chain.get(i).costUsd());
                latency += chain.get(i).latencyMs();
                called.merge(tiers.get(i).tier(), 1L, Long::sum);
            }
            served.merge(tiers.get(servedAt).tier(), 1L, Long::sum);
            correct += chain.get(servedAt).correct() ? 1 : 0;
            latencies.add(latency);
            if (!Strata.NONE.equals(strataField)) {
                String label = q.label(strataField) == null ? Strata.MISSING : q.label(strataField);
                long[] c = counts.computeIfAbsent(label, l -> new long[3]);
                c[0]++;
                c[1] += correct - correctBefore;
                c[2] += ref.correct() ? 1 : 0;
                costs.merge(label, cost.subtract(costBefore), BigDecimal::add);
            }
        }
        List<Stratum> byStratum = new ArrayList<>();
        counts.forEach((label, c) -> byStratum.add(new Stratum(label, (int) c[0], c[1], c[2], costs.get(label))));
        Collections.sort(latencies);
        double mean = latencies.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double p95 = latencies.isEmpty() ? 0 : latencies.get(Math.max(0, (int) Math.ceil(0.95 * latencies.size()) - 1));
        return new Report(queries.size(), queries.isEmpty() ? 0 : correct / (double) queries.size(), cost,
                queries.isEmpty() ? BigDecimal.ZERO : cost.divide(BigDecimal.valueOf(queries.size()),
                        MathContext.DECIMAL64), served, called, mean, p95, reference,
                queries.isEmpty() ? 0 : referenceCorrect / (double) queries.size(), byStratum);
    }
}
