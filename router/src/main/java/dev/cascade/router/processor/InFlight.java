package dev.cascade.router.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.events.AnswerEvent.AttemptSummary;
import dev.cascade.router.cascade.RoutePolicy;
import dev.cascade.router.cascade.TierStep;
import dev.cascade.router.client.ModelRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * A query the router has accepted and not yet answered, as kept in the changelogged in-flight store. It carries
 * the policy it started with, so a query finishes under the tiers and thresholds it began with even when the route
 * changes meanwhile.
 *
 * @param tierIndex index of the tier being tried
 * @param dispatch  number of the current dispatch; completions of earlier dispatches are stale
 * @param headers   the query's Kafka headers, copied onto the answer
 */
public record InFlight(@JsonProperty("id") String id,
                       @JsonProperty("route") String route,
                       @JsonProperty("tiers") List<TierStep> tiers,
                       @JsonProperty("request") ModelRequest request,
                       @JsonProperty("reply_topic") String replyTopic,
                       @JsonProperty("headers") List<StoredHeader> headers,
                       @JsonProperty("received_at") long receivedAt,
                       @JsonProperty("tier_index") int tierIndex,
                       @JsonProperty("dispatch") int dispatch,
                       @JsonProperty("attempts") List<AttemptSummary> attempts) {

    /** One Kafka header; the value is kept as bytes (JSON base64). */
    public record StoredHeader(@JsonProperty("key") String key, @JsonProperty("value") byte[] value) {
    }

    public InFlight {
        tiers = List.copyOf(tiers);
        headers = List.copyOf(headers);
        attempts = List.copyOf(attempts);
    }

    public RoutePolicy policy() {
        return new RoutePolicy(route, tiers);
    }

    public TierStep step() {
        return tiers.get(tierIndex);
    }

    InFlight nextDispatch() {
        return new InFlight(id, route, tiers, request, replyTopic, headers, receivedAt, tierIndex, dispatch + 1,
                attempts);
    }

    InFlight nextTier() {
        return new InFlight(id, route, tiers, request, replyTopic, headers, receivedAt, tierIndex + 1, dispatch,
                attempts);
    }

    InFlight withAttempt(AttemptSummary attempt) {
        List<AttemptSummary> all = new ArrayList<>(attempts);
        all.add(attempt);
        return new InFlight(id, route, tiers, request, replyTopic, headers, receivedAt, tierIndex, dispatch, all);
    }
}
