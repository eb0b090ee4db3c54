package dev.cascade.router.client;

import java.util.concurrent.CompletableFuture;

/**
 * Calls one model. Implementations never block the caller: the returned future completes on an HTTP client thread,
 * exceptionally with {@link ModelCallException} (or a time-out) when there is no answer. Completing the returned
 * future from outside (a time-out, a cancel) abandons the call: the HTTP adapters then cancel the exchange in flight,
 * so an abandoned call holds no connection and reads no more. Thread-safe.
 */
public interface ModelClient {
    CompletableFuture<ModelReply> complete(ModelRequest request);
}
