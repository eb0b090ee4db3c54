package dev.cascade.router.it;

import static dev.cascade.router.it.RouterHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.kafka.EmbeddedKafkaBroker;
import dev.cascade.ctl.CascadeCtl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The router over SASL_SSL with SCRAM, and the CLI over mutual TLS, against a broker with such listeners and
 * certificates this test generates (JDK keytool): security is configuration, passed through as Kafka settings.
 */
class SecureKafkaIntegrationTest {
    private static final String PW = "changeit-test";

    private static void keytool(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }

    /** A CA, a broker certificate for 127.0.0.1 and a client certificate, as PKCS12 stores. */
    private static void certificates(Path dir) throws Exception {
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=test-ca",
                "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PW,
                "-keypass", PW);
        keytool(dir, "-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PW, "-rfc", "-file",
                "ca.pem");
        keytool(dir, "-importcert", "-alias", "ca", "-file", "ca.pem", "-keystore", "truststore.p12", "-storetype",
                "PKCS12", "-storepass", PW, "-noprompt");
        for (String name : List.of("broker", "client")) {
            keytool(dir, "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name,
                    "-validity", "2", "-keystore", name + ".p12", "-storetype", "PKCS12", "-storepass", PW,
                    "-keypass", PW);
            keytool(dir, "-certreq", "-alias", name, "-keystore", name + ".p12", "-storepass", PW, "-file",
                    name + ".csr");
            keytool(dir, "-gencert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PW, "-infile",
                    name + ".csr", "-outfile", name + ".pem", "-rfc", "-validity", "2", "-ext",
                    "SAN=ip:127.0.0.1,dns:localhost");
            keytool(dir, "-importcert", "-alias", "ca", "-file", "ca.pem", "-keystore", name + ".p12", "-storepass",
                    PW, "-noprompt");
            keytool(dir, "-importcert", "-alias", name, "-file", name + ".pem", "-keystore", name + ".p12",
                    "-storepass", PW, "-noprompt");
        }
    }

    @Test
    void shouldRouteOverSaslSslAndServeTheCliOverMutualTls() throws Exception {
        Path dir = Files.createTempDirectory(TestKafka.testDir(), "secure-");
        certificates(dir);
        int plain = EmbeddedKafkaBroker.freePort();
        int controller = EmbeddedKafkaBroker.freePort();
        int sasl = EmbeddedKafkaBroker.freePort();
        int tls = EmbeddedKafkaBroker.freePort();
        Map<String, String> broker = new LinkedHashMap<>();
        broker.put("listeners", "PLAINTEXT://127.0.0.1:" + plain + ",CONTROLLER://127.0.0.1:" + controller
                + ",SASL_SSL://127.0.0.1:" + sasl + ",SSL://127.0.0.1:" + tls);
        broker.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL_SSL://127.0.0.1:" + sasl
                + ",SSL://127.0.0.1:" + tls);
        broker.put("listener.security.protocol.map",
                "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL");
        broker.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        broker.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        broker.put("ssl.keystore.location", dir.resolve("broker.p12").toString());
        broker.put("ssl.keystore.password", PW);
        broker.put("ssl.key.password", PW);
        broker.put("ssl.keystore.type", "PKCS12");
        broker.put("ssl.truststore.location", dir.resolve("truststore.p12").toString());
        broker.put("ssl.truststore.password", PW);
        broker.put("ssl.truststore.type", "PKCS12");
        broker.put("listener.name.ssl.ssl.client.auth", "required");
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), plain, controller, true,
                broker, List.of("--add-scram", "SCRAM-SHA-512=[name=router,password=router-secret]"))) {
            try (RouterHarness h = new RouterHarness(kafka, doc -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> k = (Map<String, Object>) doc.get("kafka");
                k.put("bootstrap.servers", "127.0.0.1:" + sasl);
                k.put("security.protocol", "SASL_SSL");
                k.put("sasl.mechanism", "SCRAM-SHA-512");
                k.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"router\" password=\"router-secret\";");
                k.put("ssl.truststore.location", dir.resolve("truststore.p12").toString());
                k.put("ssl.truststore.password", PW);
                k.put("ssl.truststore.type", "PKCS12");
            }).start()) {
                h.query("secure-1", null, "over SASL_SSL");
                assertThat(h.answers(1)).hasSize(1);
                assertThat(json(h.answers(1).get(0)).path("status").asText()).isEqualTo("ANSWERED");

                Path clientProps = dir.resolve("client.properties");
                Files.writeString(clientProps, String.join("\n", "security.protocol=SSL",
                        "ssl.keystore.location=" + dir.resolve("client.p12"), "ssl.keystore.password=" + PW,
                        "ssl.key.password=" + PW, "ssl.keystore.type=PKCS12",
                        "ssl.truststore.location=" + dir.resolve("truststore.p12"), "ssl.truststore.password=" + PW,
                        "ssl.truststore.type=PKCS12", ""));
                Path policy = dir.resolve("policy.json");
                Files.writeString(policy, "{\"tiers\":[{\"name\":\"medium\",\"threshold\":0},{\"name\":\"general\"}]}");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int code = CascadeCtl.run(new String[]{"--bootstrap-servers", "127.0.0.1:" + tls, "--command-config",
                        clientProps.toString(), "--config-topic", h.topics.config(), "--status-topic",
                        h.topics.configStatus(), "config", "set", "secure", "--file", policy.toString()},
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
                assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
                assertThat(out.toString(StandardCharsets.UTF_8)).contains("ACCEPTED");

                // without a client certificate the mutual-TLS listener refuses the CLI
                Path noCert = dir.resolve("nocert.properties");
                Files.writeString(noCert, String.join("\n", "security.protocol=SSL",
                        "ssl.truststore.location=" + dir.resolve("truststore.p12"), "ssl.truststore.password=" + PW,
                        "ssl.truststore.type=PKCS12", ""));
                ByteArrayOutputStream refusedOut = new ByteArrayOutputStream();
                ByteArrayOutputStream refusedErr = new ByteArrayOutputStream();
                int refused = CascadeCtl.run(new String[]{"--bootstrap-servers", "127.0.0.1:" + tls,
                        "--command-config", noCert.toString(), "--timeout", "5", "--config-topic", h.topics.config(),
                        "--status-topic", h.topics.configStatus(), "config", "get"},
                        new PrintStream(refusedOut, true, StandardCharsets.UTF_8),
                        new PrintStream(refusedErr, true, StandardCharsets.UTF_8));
                String why = refusedErr.toString(StandardCharsets.UTF_8);
                // the broker's refusal of the client's TLS authentication (under TLS 1.3 it comes after the handshake
                // proper, "Failed to process post-handshake messages"), reported as a Kafka error (exit 4): not a
                // time-out (3) or a usage error (2), and nothing of the config topic printed
                assertThat(refused).as(why).isEqualTo(4);
                assertThat(why).startsWith("error: org.apache.kafka.common.errors.SslAuthenticationException");
                assertThat(refusedOut.toString(StandardCharsets.UTF_8)).isEmpty();
            }
        }
    }
}
