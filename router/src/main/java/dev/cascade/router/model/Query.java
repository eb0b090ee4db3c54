package dev.cascade.router.model;

import dev.cascade.router.client.ModelRequest;
import java.util.Map;

/**
 * A valid query from {@code cascade.queries}.
 *
 * @param route   the route it names, null for the default route
 * @param replyTo the topic its answer goes to, null for the answers topic
 * @param deadlineMs time the query has for its answer, from its record's timestamp; null for the route's default
 */
public record Query(String id, String route, ModelRequest request, String tenant, Map<String, String> metadata,
                    String replyTo, Long deadlineMs) {
}
