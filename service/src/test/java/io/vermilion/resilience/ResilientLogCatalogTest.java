package io.vermilion.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogCatalog.CommitResult;
import io.vermilion.catalog.LogPosition;
import io.vermilion.sysdb.PostgresResource;
import io.vertx.sqlclient.ClosedConnectionException;
import jakarta.inject.Inject;
import java.util.List;
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
 * The guarded log catalog's commit under lost connections, with the service's own guard: a commit that was applied
 * but whose answer was lost is retried and recognised as this commit's; a retry that meets another writer's fragment
 * is still a conflict; answers and non-transient failures are never retried.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ResilientLogCatalogTest {

    @Inject
    Guards guards;

    @Inject
    CircuitBreakerMaintenance breakers;

    private final UUID collection = UUID.randomUUID();
    private InMemoryLogCatalog memory;
    private FlakyCatalog flaky;
    private LogCatalog resilient;

    @BeforeEach
    void open() {
        memory = new InMemoryLogCatalog();
        memory.createCollection(collection);
        flaky = new FlakyCatalog(memory);
        resilient = new ResilientLogCatalog(flaky, guards);
    }

    @AfterEach
    void resetBreakers() {
        breakers.resetAll();
    }

    @Test
    void commitAppliedButUnansweredIsRetriedAndAnsweredCommitted() throws Exception {
        FragmentRef fragment = fragment(0, 3);
        flaky.loseAnswers.set(1); // applied, then the connection drops before the answer

        assertEquals(CommitResult.COMMITTED, await(resilient.commit(collection, fragment, 2)));

        assertEquals(2, flaky.commits.get());
        assertEquals(List.of(fragment), await(memory.fragments(collection, 0)));
        assertEquals(Optional.of(new LogPosition(3, 2)), await(memory.position(collection)));
    }

    @Test
    void retryThatMeetsAnotherWritersFragmentIsAConflict() throws Exception {
        FragmentRef ours = fragment(0, 3);
        FragmentRef theirs = fragment(0, 2);
        flaky.failBeforeApplying.set(1);
        flaky.beforeFailing = () -> memory.commit(collection, theirs, null); // another writer lands meanwhile

        assertEquals(CommitResult.CONFLICT, await(resilient.commit(collection, ours, null)));

        assertEquals(2, flaky.commits.get());
        assertEquals(List.of(theirs), await(memory.fragments(collection, 0)));
    }

    @Test
    void conflictIsAnAnswerNotRetried() throws Exception {
        memory.commit(collection, fragment(0, 1), null);

        assertEquals(CommitResult.CONFLICT, await(resilient.commit(collection, fragment(0, 2), null)));

        assertEquals(1, flaky.commits.get());
    }

    @Test
    void nonTransientFailureIsNotRetried() {
        IllegalStateException broken = new IllegalStateException("constraint violated");
        flaky.failure = broken;

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> resilient.commit(collection, fragment(0, 1), null).toCompletableFuture().get(10, TimeUnit.SECONDS));

        assertSame(broken, e.getCause());
        assertEquals(1, flaky.commits.get());
    }

    @Test
    void transientFailureOutlastingTheRetriesIsUnavailable() {
        flaky.failBeforeApplying.set(Integer.MAX_VALUE);

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> resilient.commit(collection, fragment(0, 1), null).toCompletableFuture().get(10, TimeUnit.SECONDS));

        DependencyUnavailableException unavailable = assertInstanceOf(DependencyUnavailableException.class, e.getCause());
        assertEquals("The catalog database is unavailable (connection failed); retry the request", unavailable.getMessage());
        assertEquals(4, flaky.commits.get()); // the first attempt and 3 retries (the default)
    }

    private FragmentRef fragment(long start, long end) {
        return new FragmentRef(start, end, collection + "/log/" + start + "-" + UUID.randomUUID() + ".arrow", 100);
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A real in-memory log catalog whose commits can lose their answer, fail before applying, or fail for good. */
    private static final class FlakyCatalog implements LogCatalog {
        final LogCatalog delegate;
        final AtomicInteger commits = new AtomicInteger();
        final AtomicInteger loseAnswers = new AtomicInteger();
        final AtomicInteger failBeforeApplying = new AtomicInteger();
        volatile Runnable beforeFailing = () -> {};
        volatile RuntimeException failure;

        FlakyCatalog(LogCatalog delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletionStage<Optional<LogPosition>> position(UUID collection) {
            return delegate.position(collection);
        }

        @Override
        public CompletionStage<CommitResult> commit(UUID collection, FragmentRef fragment, Integer dimension) {
            commits.incrementAndGet();
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            if (failBeforeApplying.getAndDecrement() > 0) {
                beforeFailing.run();
                return CompletableFuture.failedFuture(ClosedConnectionException.INSTANCE);
            }
            CompletionStage<CommitResult> applied = delegate.commit(collection, fragment, dimension);
            if (loseAnswers.getAndDecrement() > 0) {
                return applied.thenCompose(result -> CompletableFuture.failedFuture(ClosedConnectionException.INSTANCE));
            }
            return applied;
        }

        @Override
        public CompletionStage<List<FragmentRef>> fragments(UUID collection, long fromOffset) {
            return delegate.fragments(collection, fromOffset);
        }

        @Override
        public CompletionStage<Integer> forget(UUID collection, long beforeOffset) {
            return delegate.forget(collection, beforeOffset);
        }
    }
}
