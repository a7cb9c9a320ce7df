package io.vermilion.catalog;

import static io.vermilion.log.LogTestKit.await;
import static io.vermilion.log.LogTestKit.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.vermilion.catalog.LogCatalog.CommitResult;
import io.vermilion.log.FragmentKeys;

class InMemoryLogCatalogTest {

    private final InMemoryLogCatalog catalog = new InMemoryLogCatalog();
    private final UUID collection = UUID.randomUUID();

    private static FragmentRef fragment(long start, long end) {
        return new FragmentRef(start, end, FragmentKeys.newFragmentKey(UUID.randomUUID(), start), 100);
    }

    @Test
    void newCollectionHasAnEmptyLogWithoutDimension() {
        assertTrue(catalog.createCollection(collection));
        assertFalse(catalog.createCollection(collection));

        assertEquals(Optional.of(new LogPosition(0, null)), await(catalog.position(collection)));
        assertEquals(List.of(), await(catalog.fragments(collection, 0)));
    }

    @Test
    void commitExtendsTheLogOnlyFromItsEnd() {
        catalog.createCollection(collection);
        FragmentRef first = fragment(0, 3);
        FragmentRef second = fragment(3, 4);

        assertEquals(CommitResult.COMMITTED, await(catalog.commit(collection, first, 2)));
        assertEquals(CommitResult.CONFLICT, await(catalog.commit(collection, fragment(0, 2), 2)));
        assertEquals(CommitResult.CONFLICT, await(catalog.commit(collection, fragment(5, 6), 2)));
        assertEquals(CommitResult.COMMITTED, await(catalog.commit(collection, second, 2)));

        assertEquals(Optional.of(new LogPosition(4, 2)), await(catalog.position(collection)));
        assertEquals(List.of(first, second), await(catalog.fragments(collection, 0)));
        assertEquals(List.of(second), await(catalog.fragments(collection, 3)));
        assertEquals(List.of(), await(catalog.fragments(collection, 4)));
    }

    @Test
    void firstCommitCarryingADimensionFixesIt() {
        catalog.createCollection(collection);

        assertEquals(CommitResult.COMMITTED, await(catalog.commit(collection, fragment(0, 1), null)));
        assertEquals(Optional.of(new LogPosition(1, null)), await(catalog.position(collection)));
        assertEquals(CommitResult.COMMITTED, await(catalog.commit(collection, fragment(1, 2), 4)));
        assertEquals(CommitResult.CONFLICT, await(catalog.commit(collection, fragment(2, 3), 5)));
        assertEquals(CommitResult.COMMITTED, await(catalog.commit(collection, fragment(2, 3), null)));
        assertEquals(CommitResult.COMMITTED, await(catalog.commit(collection, fragment(3, 4), 4)));

        assertEquals(Optional.of(new LogPosition(4, 4)), await(catalog.position(collection)));
    }

    @Test
    void missingCollectionHasNoPositionAndRefusesCommits() {
        assertEquals(Optional.empty(), await(catalog.position(collection)));
        assertEquals(CommitResult.COLLECTION_MISSING, await(catalog.commit(collection, fragment(0, 1), null)));
        assertEquals(List.of(), await(catalog.fragments(collection, 0)));
    }

    @Test
    void droppedCollectionIsForgotten() {
        catalog.createCollection(collection);
        await(catalog.commit(collection, fragment(0, 1), 3));

        assertTrue(catalog.dropCollection(collection));
        assertFalse(catalog.dropCollection(collection));

        assertEquals(Optional.empty(), await(catalog.position(collection)));
        assertEquals(CommitResult.COLLECTION_MISSING, await(catalog.commit(collection, fragment(1, 2), null)));
    }

    @Test
    void commitHookCanInjectResultsAndFailuresWithoutRecording() {
        catalog.createCollection(collection);
        RuntimeException outage = new IllegalStateException("outage");
        AtomicInteger calls = new AtomicInteger();
        catalog.setCommitHook((c, fragment, dimension) -> switch (calls.incrementAndGet()) {
            case 1 -> CommitResult.CONFLICT;
            case 2 -> throw outage;
            default -> null;
        });

        assertEquals(CommitResult.CONFLICT, await(catalog.commit(collection, fragment(0, 1), 1)));
        assertSame(outage, failure(catalog.commit(collection, fragment(0, 1), 1), IllegalStateException.class));
        assertEquals(Optional.of(new LogPosition(0, null)), await(catalog.position(collection)));
        assertEquals(CommitResult.COMMITTED, await(catalog.commit(collection, fragment(0, 1), 1)));

        catalog.setCommitHook(null);
        assertEquals(CommitResult.COMMITTED, await(catalog.commit(collection, fragment(1, 2), 1)));
        assertEquals(3, calls.get());
    }

    @Test
    void emptyFragmentIsRejected() {
        catalog.createCollection(collection);

        failure(catalog.commit(collection, fragment(0, 0), null), IllegalArgumentException.class);
    }
}
