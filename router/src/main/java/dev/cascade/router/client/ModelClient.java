package dev.cascade.router.client;

import java.util.concurrent.CompletableFuture;

/**
 * Calls one model. Implementations never block the caller: the returned future completes on an HTTP client thread,
 * exceptionally with {@link ModelCallException} (or a time-out) when there is no answer. Thread-safe.
 */
public interface ModelClient {
    CompletableFuture<ModelReply> complete(ModelRequest request);
}
