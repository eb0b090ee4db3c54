package dev.cascade.router.client;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body into memory, never more than a cap. A successful (2xx) body beyond {@code maxBytes} fails
 * with a {@link ModelCallException} naming the cap, and reading stops at once (the connection is dropped), whether
 * the server declared the length or streams without end. Of an error (non-2xx) body only the first
 * {@code errorPrefixBytes} are kept: they are for the error text, nothing more.
 */
final class BoundedBody implements HttpResponse.BodyHandler<byte[]> {
    private final int maxBytes;
    private final int errorPrefixBytes;
    private final String tooLarge;

    /** @param tooLarge the error message when a successful body exceeds the cap */
    BoundedBody(int maxBytes, int errorPrefixBytes, String tooLarge) {
        this.maxBytes = maxBytes;
        this.errorPrefixBytes = errorPrefixBytes;
        this.tooLarge = tooLarge;
    }

    @Override
    public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
        boolean ok = info.statusCode() / 100 == 2;
        long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1L);
        return ok ? new Collector(maxBytes, false, declared, tooLarge)
                : new Collector(errorPrefixBytes, true, -1, null);
    }

    /** Collects up to {@code limit} bytes; beyond it either keeps the prefix ({@code truncate}) or fails. */
    private static final class Collector implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final boolean truncate;
        private final long declared;
        private final String tooLarge;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream out;
        private Flow.Subscription subscription;

        Collector(int limit, boolean truncate, long declared, String tooLarge) {
            this.limit = limit;
            this.truncate = truncate;
            this.declared = declared;
            this.tooLarge = tooLarge;
            this.out = new ByteArrayOutputStream((int) Math.min(limit, declared > 0 ? declared : 8192));
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (!truncate && declared > limit) {
                stop();
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                int room = limit - out.size();
                if (b.remaining() > room) {
                    if (truncate) {
                        byte[] part = new byte[room];
                        b.get(part);
                        out.write(part, 0, room);
                    }
                    stop();
                    return;
                }
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                out.write(bytes, 0, bytes.length);
            }
        }

        /** Ends reading early: a kept prefix completes the body, anything else fails it. */
        private void stop() {
            subscription.cancel();
            if (truncate) {
                body.complete(out.toByteArray());
            } else {
                body.completeExceptionally(new ModelCallException(tooLarge));
            }
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(out.toByteArray());
        }
    }
}
