package dev.cascade.router.processor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import dev.cascade.core.TierStep;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The answers to one shadow-sampled query: those of the tiers tried before it was answered (kept in the in-flight
 * store) and those of the shadow calls to the tiers after, written to the shadow topic as one record once every
 * shadow call has ended. Used by the stream thread only.
 *
 * <p>The record: {@code {"id","route","messages","tiers":[in policy order],"served_tier","timestamp",
 * "outcomes":{TIER:{"model","answer","confidence","prompt_tokens","completion_tokens","latency_ms","cost_usd",
 * "served"}}}}.
 */
final class ShadowSet {
    private final InFlight query;
    final List<ShadowReply> replies;
    int outstanding;

    ShadowSet(InFlight answered) {
        this.query = answered;
        this.replies = new ArrayList<>(answered.replies());
    }

    InFlight query() {
        return query;
    }

    /**
     * Whether a query is sampled at {@code rate}: a stable hash of its id, so a query re-dispatched after a crash is
     * sampled the same way.
     */
    static boolean sampled(String id, double rate) {
        if (rate <= 0) {
            return false;
        }
        if (rate >= 1) {
            return true;
        }
        CRC32 crc = new CRC32();
        crc.update(id.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() / (double) (1L << 32) < rate;
    }

    byte[] toJson(long timestamp) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("id", query.id()).put("route", query.route());
        root.set("messages", Json.mapper().valueToTree(query.request().messages()));
        root.putArray("tiers").addAll(query.tiers().stream().map(TierStep::tier)
                .map(t -> Json.mapper().getNodeFactory().textNode(t)).toList());
        String served = replies.stream().filter(ShadowReply::served).map(ShadowReply::tier).findFirst().orElse(null);
        root.put("served_tier", served);
        root.put("timestamp", timestamp);
        ObjectNode outcomes = root.putObject("outcomes");
        for (ShadowReply r : replies) {
            ObjectNode o = outcomes.putObject(r.tier());
            o.put("model", r.model()).put("answer", r.answer());
            if (r.confidence() == null) {
                o.putNull("confidence");
            } else {
                o.put("confidence", r.confidence());
            }
            o.put("prompt_tokens", r.promptTokens()).put("completion_tokens", r.completionTokens())
                    .put("latency_ms", r.latencyMs()).put("cost_usd", r.costUsd()).put("served", r.served());
        }
        try {
            return Json.mapper().writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a shadow record", e);
        }
    }
}
