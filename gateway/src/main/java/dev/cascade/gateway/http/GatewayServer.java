package dev.cascade.gateway.http;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty 12 server of the gateway (core API, no servlets): a small thread pool, since a request waiting for its
 * answer holds no thread, only its connection and a future. Start and stop from one thread.
 */
public final class GatewayServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    public GatewayServer(String host, int port, Handler handler) {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("gateway-http");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(30_000);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(handler);
        server.setStopTimeout(5_000);
    }

    public void start() throws Exception {
        server.start();
    }

    public boolean running() {
        return server.isRunning();
    }

    /** The bound port (the real one when 0 was asked for). */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the HTTP server did not stop cleanly", e);
        }
    }
}
