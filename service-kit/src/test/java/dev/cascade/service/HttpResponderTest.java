package dev.cascade.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpResponderTest {
    private static final String JSON_BODY = "{\"price\":\"1 €\"}";

    private HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/json", ex -> HttpResponder.json(ex, 200, JSON_BODY));
        server.createContext("/bytes", ex -> HttpResponder.respond(ex, 503, "text/html; charset=utf-8",
                "<p>down</p>".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/text", ex -> HttpResponder.respond(ex, 200, HttpResponder.PROMETHEUS_TEXT,
                "up 1\n"));
        server.createContext("/empty", ex -> HttpResponder.respond(ex, 200, HttpResponder.PROMETHEUS_TEXT, ""));
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void shouldSendJsonWithItsStatusTypeAndUtf8ByteLength() throws Exception {
        HttpResponse<byte[]> r = get("/json");

        byte[] expected = JSON_BODY.getBytes(StandardCharsets.UTF_8);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(expected.length);
        assertThat(expected.length).as("multi-byte characters count in bytes").isGreaterThan(JSON_BODY.length());
        assertThat(r.body()).isEqualTo(expected);
    }

    @Test
    void shouldSendBytesWithTheGivenStatusAndContentType() throws Exception {
        HttpResponse<byte[]> r = get("/bytes");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(11);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("<p>down</p>");
    }

    @Test
    void shouldSendTextAsUtf8() throws Exception {
        HttpResponse<byte[]> r = get("/text");

        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("up 1\n");
    }

    @Test
    void shouldSendAnEmptyBodyWithContentLengthZeroNotChunked() throws Exception {
        HttpResponse<byte[]> r = get("/empty");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(0);
        assertThat(r.headers().firstValue("Transfer-Encoding")).isEmpty();
        assertThat(r.body()).isEmpty();
    }

    @Test
    void shouldLeaveAKeptAliveConnectionReadyForTheNextRequest() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(get(i % 2 == 0 ? "/json" : "/empty").statusCode()).isEqualTo(200);
        }
    }
}
