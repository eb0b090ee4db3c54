package dev.cascade.router.policy;

import dev.cascade.live.LiveTable;
import dev.cascade.core.RoutePolicy;
import dev.cascade.core.RouteTable;
import java.util.Map;

/**
 * The live routing table: policies from the config topic (a {@link LiveTable}), over the routes of the deployment
 * file. Resolution: the named route, else {@value RouteTable#DEFAULT}; for each, the topic's policy wins over the
 * file's; null when neither exists. Thread-safe.
 */
public final class LivePolicies implements RouteTable {
    private final LiveTable<RoutePolicy> live;
    private final Map<String, RoutePolicy> fileRoutes;

    public LivePolicies(LiveTable<RoutePolicy> live, Map<String, RoutePolicy> fileRoutes) {
        this.live = live;
        this.fileRoutes = Map.copyOf(fileRoutes);
    }

    @Override
    public RoutePolicy resolve(String route) {
        RoutePolicy named = route == null ? null : lookup(route);
        return named != null ? named : lookup(DEFAULT);
    }

    private RoutePolicy lookup(String route) {
        RoutePolicy p = live.get(route);
        return p != null ? p : fileRoutes.get(route);
    }
}
