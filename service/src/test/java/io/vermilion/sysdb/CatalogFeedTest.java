package io.vermilion.sysdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.error.ChromaException;
import io.vermilion.version.VersionKeys;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.PoolOptions;
import jakarta.inject.Inject;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas' catalog caches and feeds, each with its own pool and listen connection, against one real PostgreSQL:
 * what one commits, the very next read on the other sees (exactly), with no sleeps; row changes and deletes
 * propagate; a broken listen connection makes reads query the catalog until it is back; and the counters show which
 * reads were served from memory.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class CatalogFeedTest {

    private static final String DEFAULT_DATABASE = "00000000-0000-0000-0000-000000000000";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String reactiveUrl;

    private final List<Replica> replicas = new ArrayList<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    /** One replica's catalog side: its own pool, listen connection, cache and cached catalogs. */
    private final class Replica implements AutoCloseable {
        final Pool pool;
        final CatalogCache cache = new CatalogCache();
        final CatalogFeed feed;
        final AtomicBoolean refuseConnections = new AtomicBoolean();
        final LogCatalog log;
        final VersionCatalog versions;
        final CollectionLookup lookup;

        Replica(CatalogFeed.Mode mode) {
            pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(reactiveUrl.contains("://")
                    ? reactiveUrl.replaceFirst("^postgresql://", "postgresql://postgres@") : reactiveUrl)
                    .using(vertx).build();
            Properties props = new Properties();
            props.setProperty("user", "postgres");
            feed = new CatalogFeed(() -> {
                if (refuseConnections.get()) {
                    throw new SQLException("refused by the test");
                }
                return DriverManager.getConnection(jdbcUrl, props);
            }, cache, mode, 100).start();
            log = new CachedLogCatalog(new PgLogCatalog(pool), feed, executor);
            versions = new CachedVersionCatalog(new PgVersionCatalog(pool), feed, executor);
            lookup = new CollectionLookup(pool, feed);
        }

        CollectionEntry get(UUID id) {
            return lookup.get("default_tenant", "default_database", id).await().atMost(WAIT);
        }

        @Override
        public void close() {
            feed.close();
            pool.closeAndAwait();
        }
    }

    private Replica replica(CatalogFeed.Mode mode) {
        Replica r = new Replica(mode);
        replicas.add(r);
        awaitCondition(r.cache::live);
        return r;
    }

    @BeforeEach
    void noReplicas() {
        replicas.clear();
    }

    @AfterEach
    void closeReplicas() {
        replicas.forEach(Replica::close);
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Waits for a background state change (a connection up or down); fails if it never comes. */
    private static void awaitCondition(BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in " + WAIT);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private UUID newCollection(Pool pool, String database) {
        UUID id = UUID.randomUUID();
        pool.preparedQuery("INSERT INTO collections (id, name, database_id, configuration) VALUES ($1, $2, $3, '{}')")
                .execute(Tuple.of(id, "feed-" + id, UUID.fromString(database)))
                .await().atMost(WAIT);
        return id;
    }

    private static void commit(Replica r, UUID id, long from, long to) {
        assertEquals(LogCatalog.CommitResult.COMMITTED,
                await(r.log.commit(id, new FragmentRef(from, to, id + "/log/" + from, 100), 3)));
    }

    private static VersionRef ref(UUID id, long version, long logEnd) {
        return new VersionRef(version, VersionKeys.manifest(id, version), logEnd);
    }

    @Test
    void everyCommitOnOneReplicaIsSeenByTheNextReadOnAnother() {
        Replica a = replica(CatalogFeed.Mode.SYNC);
        Replica b = replica(CatalogFeed.Mode.SYNC);
        UUID id = newCollection(a.pool, DEFAULT_DATABASE);

        CollectionEntry first = b.get(id); // fills b's cache with one query
        assertEquals(0, first.logPosition());
        assertNull(first.dimension());
        assertNull(first.compacted());
        assertEquals(0, b.cache.hits());
        assertEquals(1, b.cache.misses());
        assertEquals(1, b.feed.rounds());

        int reads = 0;
        long version = 0;
        for (int i = 1; i <= 300; i++) {
            commit(a, id, (i - 1) * 10L, i * 10L);
            CollectionEntry seen = b.get(id);
            reads++;
            assertEquals(i * 10L, seen.logPosition(), "read " + i + " on b after a's commit");
            assertEquals(3, seen.dimension());
            assertEquals(Optional.of(new LogPosition(i * 10L, 3)), await(b.log.position(id)));
            reads++;
            if (i % 25 == 0) {
                assertTrue(await(a.versions.publish(id, version, ref(id, version + 1, i * 10L))));
                version++;
                assertEquals(ref(id, version, i * 10L), b.get(id).compacted());
                assertEquals(Optional.of(ref(id, version, i * 10L)), await(b.versions.currentVersion(id)));
                reads += 2;
            }
        }
        assertEquals(12, version);
        assertEquals(reads, b.cache.hits(), "every read after the first served from memory");
        assertEquals(1, b.cache.misses());
        assertEquals(1 + reads, b.feed.rounds(), "one sync round trip per sequential read");
        assertTrue(b.cache.notifications() >= 312, "300 log advances and 12 versions: " + b.cache.notifications());

        // a's own commits are in a's cache before they complete: a's reads need no query either
        assertEquals(3000, a.get(id).logPosition());
        assertEquals(ref(id, 12, 3000), a.get(id).compacted());
    }

    @Test
    void renamesMetadataChangesAndDeletesPropagate() {
        Replica a = replica(CatalogFeed.Mode.SYNC);
        Replica b = replica(CatalogFeed.Mode.SYNC);
        UUID id = newCollection(a.pool, DEFAULT_DATABASE);
        assertEquals("feed-" + id, b.get(id).name());
        assertEquals("feed-" + id, b.get(id).name());
        assertEquals(1, b.cache.misses());
        assertEquals(1, b.cache.hits());

        for (int i = 0; i < 20; i++) {
            a.pool.preparedQuery("UPDATE collections SET name = $2, metadata = $3 WHERE id = $1")
                    .execute(Tuple.of(id, "renamed-" + i, "{\"n\":" + i + "}")).await().atMost(WAIT);
            CollectionEntry seen = b.get(id);
            assertEquals("renamed-" + i, seen.name());
            assertEquals("{\"n\":" + i + "}", seen.metadataJson());
        }
        assertEquals(21, b.cache.misses(), "a changed row is read again");
        assertEquals("renamed-19", b.get(id).name());
        assertEquals(2, b.cache.hits());

        a.pool.preparedQuery("DELETE FROM collections WHERE id = $1").execute(Tuple.of(id)).await().atMost(WAIT);
        ChromaException missing = assertThrows(ChromaException.class, () -> b.get(id));
        assertEquals(io.vermilion.error.ErrorCode.NOT_FOUND, missing.code());
        assertEquals(Optional.empty(), await(b.log.position(id)));

        // a database deleted with its collections: every collection's delete reaches the other replica
        UUID database = UUID.randomUUID();
        a.pool.preparedQuery("INSERT INTO databases (id, name, tenant) VALUES ($1, $2, 'default_tenant')")
                .execute(Tuple.of(database, "feed-db-" + database)).await().atMost(WAIT);
        UUID inDatabase = newCollection(a.pool, database.toString());
        assertEquals(0, await(b.log.position(inDatabase)).orElseThrow().nextOffset());
        commit(a, inDatabase, 0, 5);
        assertEquals(5, await(b.log.position(inDatabase)).orElseThrow().nextOffset());
        a.pool.preparedQuery("DELETE FROM databases WHERE id = $1").execute(Tuple.of(database)).await().atMost(WAIT);
        assertEquals(Optional.empty(), await(b.log.position(inDatabase)));
    }

    @Test
    void brokenListenConnectionFallsBackToQueriesAndRecovers() {
        Replica a = replica(CatalogFeed.Mode.SYNC);
        Replica b = replica(CatalogFeed.Mode.SYNC);
        UUID id = newCollection(a.pool, DEFAULT_DATABASE);
        b.get(id);
        commit(a, id, 0, 10);
        assertEquals(10, b.get(id).logPosition());
        assertEquals(1, b.cache.hits());
        assertEquals(1, b.cache.misses());

        b.refuseConnections.set(true);
        int pid = b.feed.backendPid();
        assertTrue(a.pool.preparedQuery("SELECT pg_terminate_backend($1) AS done").execute(Tuple.of(pid))
                .await().atMost(WAIT).iterator().next().getBoolean("done"));
        commit(a, id, 10, 20);
        assertEquals(20, b.get(id).logPosition(), "the first read after the loss queries");
        assertFalse(b.cache.live());
        for (int i = 2; i <= 10; i++) {
            commit(a, id, i * 10L, i * 10L + 10);
            assertEquals(i * 10L + 10, b.get(id).logPosition());
            assertEquals(i * 10L + 10, await(b.log.position(id)).orElseThrow().nextOffset());
        }
        assertEquals(1, b.cache.hits(), "nothing served from memory while the feed is down");
        assertEquals(1 + 1 + 18, b.cache.misses());

        b.refuseConnections.set(false);
        awaitCondition(b.cache::live);
        assertEquals(110, b.get(id).logPosition()); // the cache starts empty again: one query
        commit(a, id, 110, 120);
        assertEquals(120, b.get(id).logPosition());
        assertEquals(120, await(b.log.position(id)).orElseThrow().nextOffset());
        assertEquals(1 + 2, b.cache.hits());
        assertEquals(21, b.cache.misses());
        assertEquals(2, b.feed.connects());
    }

    @Test
    void soleWriterReadsItsOwnCommitsWithoutRoundTrips() {
        Replica only = replica(CatalogFeed.Mode.SOLE_WRITER);
        UUID id = newCollection(only.pool, DEFAULT_DATABASE);
        only.get(id);
        for (int i = 1; i <= 50; i++) {
            commit(only, id, (i - 1) * 4L, i * 4L);
            assertEquals(i * 4L, only.get(id).logPosition());
        }
        assertTrue(await(only.versions.publish(id, VersionCatalog.NO_VERSION, ref(id, 1, 200))));
        assertEquals(ref(id, 1, 200), only.get(id).compacted());
        assertEquals(51, only.cache.hits());
        assertEquals(1, only.cache.misses());
        assertEquals(0, only.feed.rounds());
    }
}
