package io.vermilion.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.mutiny.Uni;
import io.vermilion.sysdb.PostgresResource;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.hibernate.exception.ConstraintViolationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog's circuit breaker counts only PostgreSQL not serving: answers of a serving PostgreSQL - a constraint
 * violation, a serialization failure, a deadlock - leave it closed however many there are, while as many connection
 * failures open it. Runs the service's own guard.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class CatalogBreakerClassificationTest {

    private static final TypeLiteral<Uni<Object>> UNI = new TypeLiteral<>() {};
    /** More calls than the breaker's window (20 attempts by default), all failing. */
    private static final int CALLS = 25;

    @Inject
    Guards guards;

    @Inject
    CircuitBreakerMaintenance breakers;

    @AfterEach
    void resetBreakers() {
        breakers.resetAll();
    }

    @Test
    void uniqueViolationsDoNotOpenTheCatalogBreaker() {
        failRepeatedly(() -> new ConstraintViolationException("duplicate key",
                new SQLException("duplicate key value violates unique constraint", "23505"), "collections_key"));
        assertEquals("CLOSED", guards.breakerState(Guards.CATALOG_BREAKER));
    }

    @Test
    void serializationFailuresAndDeadlocksAreRetriedButDoNotOpenTheCatalogBreaker() {
        int attempts = failRepeatedly(() -> new PgException("could not serialize access", "ERROR", "40001", null));
        attempts += failRepeatedly(() -> new PgException("deadlock detected", "ERROR", "40P01", null));
        assertEquals("CLOSED", guards.breakerState(Guards.CATALOG_BREAKER));
        assertEquals(2 * CALLS * 4, attempts); // each call: the first attempt and 3 retries
    }

    @Test
    void connectionFailuresOpenTheCatalogBreaker() {
        failRepeatedly(() -> new PgException("terminating connection", "FATAL", "57P01", null));
        assertEquals("OPEN", guards.breakerState(Guards.CATALOG_BREAKER));
    }

    /** Makes {@link #CALLS} guarded calls that fail with the given failure; returns how many attempts reached it. */
    private int failRepeatedly(Supplier<Throwable> failure) {
        int[] attempts = {0};
        for (int i = 0; i < CALLS; i++) {
            try {
                guards.catalog().call(() -> {
                    attempts[0]++;
                    return Uni.createFrom().failure(failure.get());
                }, UNI).await().indefinitely();
            } catch (Exception expected) {
                // every call fails; what matters is what the breaker made of it
            }
        }
        return attempts[0];
    }
}
