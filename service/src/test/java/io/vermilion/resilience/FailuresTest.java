package io.vermilion.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import org.hibernate.exception.ConstraintViolationException;
import org.junit.jupiter.api.Test;

/**
 * How failures are classified: outages count toward the breakers, PostgreSQL's answers never do, and a call its caller
 * cancelled is no failure of the object store.
 */
class FailuresTest {

    private static PgException pg(String state) {
        return new PgException("message", "ERROR", state, null);
    }

    @Test
    void constraintViolationsAreNeitherOutagesNorRetried() {
        Throwable wrapped = new CompletionException(new ConstraintViolationException("duplicate key",
                new SQLException("duplicate key value", "23505"), "collections_database_name_key"));
        assertFalse(Failures.catalogOutage(wrapped));
        assertFalse(Failures.transientCatalog(wrapped));
        assertEquals("23505", Failures.sqlState(wrapped));
        assertFalse(Failures.catalogOutage(pg("23505")));
    }

    @Test
    void serializationFailuresAndDeadlocksAreRetriedButAreNotOutages() {
        for (String state : new String[] {"40001", "40P01"}) {
            assertFalse(Failures.catalogOutage(pg(state)), state);
            assertTrue(Failures.transientCatalog(pg(state)), state);
            assertTrue(Failures.concurrencyConflict(new CompletionException(pg(state))), state);
            assertTrue(Failures.catalogCallNotApplied(pg(state)), state);
        }
    }

    @Test
    void connectionFailuresShutdownsAndTimeoutsAreOutages() {
        for (String state : new String[] {"08006", "08001", "57P01", "57P03", "53300"}) {
            assertTrue(Failures.catalogOutage(pg(state)), state);
        }
        assertTrue(Failures.catalogOutage(new CompletionException(new ConnectException("refused"))));
        assertTrue(Failures.catalogOutage(new java.util.concurrent.TimeoutException()));
        assertTrue(Failures.catalogOutage(new SQLException("no connection", "08003")));
    }

    @Test
    void cancelledObjectStoreCallsAreNeitherRetriedNorCounted() {
        assertFalse(Failures.transientStorage(new CompletionException(
                software.amazon.awssdk.core.exception.SdkClientException.create("Request cancelled"))));
        assertFalse(Failures.transientStorage(new java.util.concurrent.CancellationException()));
        assertFalse(Failures.transientStorage(new CompletionException(
                software.amazon.awssdk.core.exception.AbortedException.create("Thread was interrupted"))));
        assertFalse(Failures.transientStorage(software.amazon.awssdk.core.exception.SdkClientException.create(
                "Unable to execute HTTP request", new java.util.concurrent.CancellationException())));
        // A request that got no answer is still an outage.
        assertTrue(Failures.transientStorage(new CompletionException(software.amazon.awssdk.core.exception
                .SdkClientException.create("Unable to execute HTTP request: Connection refused",
                        new ConnectException("refused")))));
    }

    @Test
    void aStaleHandlerOnAReusedChannelIsRetriedButIsNoOutageOfTheStore() {
        // As the S3 client reported it under S3Proxy, on a garbage collection's parallel deletes.
        Throwable staleHandler = new CompletionException(software.amazon.awssdk.core.exception.SdkClientException.create(
                "Unable to execute HTTP request: Duplicate handler name: HttpStreamsClientHandler#0-body-subscriber",
                new IllegalArgumentException("Duplicate handler name: HttpStreamsClientHandler#0-body-subscriber")));
        Throwable closed = new CompletionException(software.amazon.awssdk.core.exception.SdkClientException.create(
                "Unable to execute HTTP request: The connection was closed during the request.",
                new java.io.IOException("The channel was closed")));
        Throwable refused = new CompletionException(software.amazon.awssdk.core.exception.SdkClientException.create(
                "Unable to execute HTTP request: Connection refused", new ConnectException("refused")));

        assertTrue(Failures.transientStorage(staleHandler));
        assertFalse(Failures.storageOutage(staleHandler));
        assertTrue(Failures.storageOutage(closed));
        assertTrue(Failures.storageOutage(refused));
        assertTrue(Failures.storageOutage(new java.util.concurrent.TimeoutException()));
        assertFalse(Failures.storageOutage(new CompletionException(new io.vermilion.storage.ObjectNotFoundException("k"))));
    }
}
