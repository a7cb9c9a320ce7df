package io.vermilion.compat;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.vermilion.gateway.AuthProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service as a cloud deployment runs it: auth on (a bootstrap admin key) and HTTPS with a certificate made
 * for the test run by keytool, so that Chroma's CloudClient (which always speaks TLS) can be pointed at it.
 */
public class TlsAuthProfile implements QuarkusTestProfile {

    /** The PEM file of the run's certificate, for clients that must trust it. */
    static final String CA_PROPERTY = "test.tls.ca";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.admin-key", AuthProfile.ADMIN_KEY);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(SelfSignedCertificate.class));
    }

    /** Makes a self-signed certificate for localhost and turns HTTPS on with it. */
    public static class SelfSignedCertificate implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            try {
                Path dir = Files.createTempDirectory("vermilion-tls");
                Path keystore = dir.resolve("server.p12");
                Path pem = dir.resolve("server.pem");
                String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
                run(List.of(keytool, "-genkeypair", "-alias", "vermilion", "-keyalg", "RSA", "-keysize", "2048",
                        "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                        "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit"));
                run(List.of(keytool, "-exportcert", "-rfc", "-alias", "vermilion", "-keystore", keystore.toString(),
                        "-storetype", "PKCS12", "-storepass", "changeit", "-file", pem.toString()));
                System.setProperty(CA_PROPERTY, pem.toString());
                return Map.of(
                        "quarkus.http.ssl.certificate.key-store-file", keystore.toString(),
                        "quarkus.http.ssl.certificate.key-store-password", "changeit",
                        "quarkus.http.test-ssl-port", "0",
                        "quarkus.http.insecure-requests", "enabled");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void stop() {}

        private static void run(List<String> command) throws IOException {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException(String.join(" ", command) + " failed: " + out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }
}
