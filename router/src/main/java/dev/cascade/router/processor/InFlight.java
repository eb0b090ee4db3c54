package dev.cascade.router.processor;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.cascade.events.AnswerEvent.AttemptSummary;
import dev.cascade.core.RoutePolicy;
import dev.cascade.core.TierStep;
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
 * @param shadow    whether the query was sampled for shadow comparison (its tiers' answers are kept)
 * @param replies   the answers of the tiers tried so far, kept for sampled queries only
 * @param deadline  when the answer is due (absolute), null for none; absent in entries written before deadlines
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
                       @JsonProperty("attempts") List<AttemptSummary> attempts,
                       @JsonInclude(JsonInclude.Include.NON_DEFAULT) @JsonProperty("shadow") boolean shadow,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("replies")
                       List<ShadowReply> replies,
                       @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("deadline") Deadline deadline) {

    /** One Kafka header; the value is kept as bytes (JSON base64). */
    public record StoredHeader(@JsonProperty("key") String key, @JsonProperty("value") byte[] value) {
    }

    public InFlight {
        tiers = List.copyOf(tiers);
        headers = List.copyOf(headers);
        attempts = List.copyOf(attempts);
        replies = replies == null ? List.of() : List.copyOf(replies);
    }

    public RoutePolicy policy() {
        return new RoutePolicy(route, tiers);
    }

    /**
     * The entry's key in the store: ids are unique per reply topic, so one producer's query cannot block (as a
     * duplicate in flight) or share the entry of another team's query with the same id. Topic names cannot contain
     * {@code |}, so the key is unambiguous.
     */
    public String key() {
        return key(replyTopic, id);
    }

    /** The store key of a query with this id answered on {@code replyTopic}. */
    public static String key(String replyTopic, String id) {
        return replyTopic + "|" + id;
    }

    public TierStep step() {
        return tiers.get(tierIndex);
    }

    boolean pastDeadline(long now) {
        return deadline != null && deadline.passed(now);
    }

    /** Time left before the deadline, null when the query has none. */
    java.time.Duration untilDeadline(long now) {
        return deadline == null ? null : deadline.left(now);
    }

    InFlight nextDispatch() {
        return new InFlight(id, route, tiers, request, replyTopic, headers, receivedAt, tierIndex, dispatch + 1,
                attempts, shadow, replies, deadline);
    }

    InFlight nextTier() {
        return new InFlight(id, route, tiers, request, replyTopic, headers, receivedAt, tierIndex + 1, dispatch,
                attempts, shadow, replies, deadline);
    }

    InFlight withAttempt(AttemptSummary attempt) {
        List<AttemptSummary> all = new ArrayList<>(attempts);
        all.add(attempt);
        return new InFlight(id, route, tiers, request, replyTopic, headers, receivedAt, tierIndex, dispatch, all,
                shadow, replies, deadline);
    }

    /** Total answer characters a sampled query keeps; a reply past it is left out (its tier's answer is missing). */
    static final int MAX_KEPT_REPLY_CHARS = 4 * ShadowReply.MAX_KEPT_CHARS;

    InFlight withReply(ShadowReply reply) {
        int kept = replies.stream().mapToInt(r -> r.answer() == null ? 0 : r.answer().length()).sum();
        if (reply.answer() != null && kept + reply.answer().length() > MAX_KEPT_REPLY_CHARS) {
            return this;
        }
        List<ShadowReply> all = new ArrayList<>(replies);
        all.add(reply);
        return new InFlight(id, route, tiers, request, replyTopic, headers, receivedAt, tierIndex, dispatch,
                attempts, shadow, all, deadline);
    }
}
