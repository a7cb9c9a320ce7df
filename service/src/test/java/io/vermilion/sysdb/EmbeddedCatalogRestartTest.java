package io.vermilion.sysdb;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL killed, or stopped in order by something other than the service, under the running service
 * is started again on its own data directory and port: requests succeed again, with the data written before, without
 * restarting Vermilion.
 */
@QuarkusTest
@TestProfile(EmbeddedCatalogProfile.class)
class EmbeddedCatalogRestartTest {

    private static final String COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections";

    @ConfigProperty(name = EmbeddedCatalog.DATA_DIR)
    String dataDir;

    @Test
    void killedEmbeddedPostgresIsRestartedAndServesAgain() throws Exception {
        String name = "survivor-" + UUID.randomUUID();
        String id = createWithOneRecord(name);

        long pid = Long.parseLong(Files.readAllLines(Path.of(dataDir, "postmaster.pid")).getFirst().trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        assertTrue(postmaster.destroyForcibly(), "could not kill PostgreSQL " + pid);
        postmaster.onExit().get(30, TimeUnit.SECONDS);

        servesAgain(name, id);
    }

    @Test
    void embeddedPostgresStoppedInOrderUnderTheServiceIsStartedAgain() throws Exception {
        String name = "stopped-" + UUID.randomUUID();
        String id = createWithOneRecord(name);

        Path pidFile = Path.of(dataDir, "postmaster.pid");
        long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        // SIGINT is PostgreSQL's fast shutdown (pg_ctl stop -m fast): sessions are ended, postmaster.pid is removed.
        Process signal = new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
        assertEquals(0, signal.waitFor());
        postmaster.onExit().get(30, TimeUnit.SECONDS);

        servesAgain(name, id);
        long restarted = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
        assertNotEquals(pid, restarted);
        assertTrue(ProcessHandle.of(restarted).map(ProcessHandle::isAlive).orElse(false));
    }

    /** Creates the collection {@code name} with one record "a"; returns its id. */
    private static String createWithOneRecord(String name) {
        String id = given().contentType("application/json").body("{\"name\":\"" + name + "\"}")
                .post(COLLECTIONS).then().statusCode(200).extract().path("id");
        given().contentType("application/json").body("{\"ids\":[\"a\"],\"embeddings\":[[1,2]]}")
                .post(COLLECTIONS + "/" + id + "/add").then().statusCode(201);
        return id;
    }

    /**
     * The collection is found, takes a second record and counts both, and the replica is ready again. Each catalog
     * path (entities, log, versions) has its own breaker, which lets requests through again once its wait is over: a
     * client retries a 503 after its Retry-After, and so do these checks.
     */
    private static void servesAgain(String name, String id) throws InterruptedException {
        awaitAnswer(() -> given().get(COLLECTIONS + "/" + name)).then().statusCode(200).body("id", equalTo(id));
        awaitAnswer(() -> given().contentType("application/json").body("{\"ids\":[\"b\"],\"embeddings\":[[1,2]]}")
                .post(COLLECTIONS + "/" + id + "/add")).then().statusCode(201);
        awaitAnswer(() -> given().get(COLLECTIONS + "/" + id + "/count")).then().statusCode(200).body(equalTo("2"));
        awaitReady();
    }

    private static void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (given().get("/q/health/ready").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not ready 30 s after PostgreSQL was back: "
                        + given().get("/q/health/ready").asString());
            }
            Thread.sleep(250);
        }
    }

    /**
     * Sends the request until it gets an answer other than 503 (up to a minute): PostgreSQL is only restarted if
     * something does it, and the breakers that opened meanwhile close only after their wait.
     */
    private static Response awaitAnswer(Supplier<Response> request) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Response answer;
        while ((answer = request.get()).statusCode() == 503) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still 503 a minute after PostgreSQL went down: " + answer.asString());
            }
            Thread.sleep(250);
        }
        return answer;
    }
}
