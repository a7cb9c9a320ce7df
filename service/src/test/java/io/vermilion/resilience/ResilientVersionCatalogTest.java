package io.vermilion.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.sysdb.PostgresResource;
import io.vertx.sqlclient.ClosedConnectionException;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guarded version catalog under lost connections, with the service's own guard and the version catalog the service
 * wires: reads are retried; a publish that was applied but whose answer was lost is answered true (its files must not
 * be deleted), one beaten by another publisher meanwhile false; a lasting outage is a 503.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ResilientVersionCatalogTest {

    @Inject
    Guards guards;

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    VersionCatalog wired;

    private final UUID collection = UUID.randomUUID();
    private InMemoryVersionCatalog memory;
    private FlakyVersions flaky;
    private VersionCatalog resilient;

    @BeforeEach
    void open() {
        memory = new InMemoryVersionCatalog(Clock.systemUTC());
        flaky = new FlakyVersions(memory);
        resilient = new ResilientVersionCatalog(flaky, guards);
    }

    @AfterEach
    void resetBreakers() {
        breakers.resetAll();
    }

    @Test
    void theServiceWiresTheGuardedVersionCatalog() {
        assertInstanceOf(ResilientVersionCatalog.class, wired);
    }

    @Test
    void readFailingOnceIsRetried() throws Exception {
        VersionRef v1 = new VersionRef(1, "m1", 10);
        memory.publish(collection, VersionCatalog.NO_VERSION, v1);
        flaky.failBeforeApplying.set(1);

        assertEquals(Optional.of(v1), await(resilient.currentVersion(collection)));
        assertEquals(2, flaky.calls.get());
    }

    @Test
    void publishAppliedButUnansweredIsAnsweredTrue() throws Exception {
        VersionRef v1 = new VersionRef(1, "m1", 10);
        flaky.loseAnswers.set(1);

        assertTrue(await(resilient.publish(collection, VersionCatalog.NO_VERSION, v1)));
        assertEquals(Optional.of(v1), await(memory.currentVersion(collection)));
    }

    @Test
    void publishBeatenMeanwhileIsAnsweredFalse() throws Exception {
        VersionRef ours = new VersionRef(1, "ours", 10);
        VersionRef theirs = new VersionRef(1, "theirs", 12);
        flaky.failBeforeApplying.set(1);
        flaky.beforeFailing = () -> memory.publish(collection, VersionCatalog.NO_VERSION, theirs);

        assertFalse(await(resilient.publish(collection, VersionCatalog.NO_VERSION, ours)));
        assertEquals(Optional.of(theirs), await(memory.currentVersion(collection)));
    }

    @Test
    void outageOutlastingTheRetriesIsUnavailable() {
        flaky.failBeforeApplying.set(Integer.MAX_VALUE);

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> resilient.currentVersion(collection).toCompletableFuture().get(10, TimeUnit.SECONDS));

        DependencyUnavailableException unavailable = assertInstanceOf(DependencyUnavailableException.class, e.getCause());
        assertEquals("The catalog database is unavailable (connection failed); retry the request", unavailable.getMessage());
        assertEquals(4, flaky.calls.get()); // the first attempt and 3 retries (the default)
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A real in-memory version catalog whose reads and publishes can fail before applying or lose their answer. */
    private static final class FlakyVersions implements VersionCatalog {
        final VersionCatalog delegate;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger loseAnswers = new AtomicInteger();
        final AtomicInteger failBeforeApplying = new AtomicInteger();
        volatile Runnable beforeFailing = () -> {};

        FlakyVersions(VersionCatalog delegate) {
            this.delegate = delegate;
        }

        private <T> CompletionStage<T> flaky(java.util.function.Supplier<CompletionStage<T>> call) {
            calls.incrementAndGet();
            if (failBeforeApplying.getAndDecrement() > 0) {
                beforeFailing.run();
                return CompletableFuture.failedFuture(ClosedConnectionException.INSTANCE);
            }
            CompletionStage<T> applied = call.get();
            if (loseAnswers.getAndDecrement() > 0) {
                return applied.thenCompose(result -> CompletableFuture.failedFuture(ClosedConnectionException.INSTANCE));
            }
            return applied;
        }

        @Override
        public CompletionStage<Optional<VersionRef>> currentVersion(UUID collection) {
            return flaky(() -> delegate.currentVersion(collection));
        }

        @Override
        public CompletionStage<Boolean> publish(UUID collection, long expectedCurrentVersion, VersionRef next) {
            return flaky(() -> delegate.publish(collection, expectedCurrentVersion, next));
        }

        @Override
        public CompletionStage<Boolean> tryAcquireLease(UUID collection, String holder, Duration ttl) {
            return delegate.tryAcquireLease(collection, holder, ttl);
        }

        @Override
        public CompletionStage<Boolean> renewLease(UUID collection, String holder, Duration ttl) {
            return delegate.renewLease(collection, holder, ttl);
        }

        @Override
        public CompletionStage<Void> releaseLease(UUID collection, String holder) {
            return delegate.releaseLease(collection, holder);
        }
    }
}
