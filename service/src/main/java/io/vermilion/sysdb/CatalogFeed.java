package io.vermilion.sysdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The catalog change feed of one replica: one dedicated JDBC connection that LISTENs on {@value #CHANNEL} (the
 * triggers of V6__catalog_feed.sql notify it of every log advance, version publish and collection row change or
 * delete), applies what it hears to the {@link CatalogCache}, and answers {@link #sync()}: "has every catalog change
 * acknowledged before now reached the cache?". It reconnects with backoff; while it is down the cache is empty and
 * {@code sync()} says no, so reads query the catalog as before and never see stale data.
 *
 * <p><b>Why a sync round trip makes a cache read as fresh as a query.</b> A read R arrives on this replica after a
 * write W was acknowledged by some replica A. W's transaction put its notification into PostgreSQL's queue before
 * committing, and W's backend signals every listening backend of the database in its commit, before A's client
 * library sees the commit succeed, so before A acknowledges W, so before R arrives. After R arrived, the listen thread
 * sends {@code SELECT 1} (the <em>round</em>) on the listen connection. The listen backend receives that query after
 * the signal was sent to it, so when it goes to answer, its "notify interrupt pending" flag is set: an idle backend
 * processes the flag at once, a busy one just before it sends {@code ReadyForQuery}. Either way it reads the queue up
 * to its head, which includes W (committed, so not skipped) and sends W's notification on the socket <em>before</em>
 * the round's {@code ReadyForQuery}. The JDBC driver reads the socket in order and finishes the query only at
 * {@code ReadyForQuery}, queueing notifications met on the way; the thread drains that queue into the cache, then
 * completes the round. So when R's round completes, W is in the cache, and a cache hit is as new as a query sent
 * after R arrived would have been. (Values taken into the cache from queries are safe too: LISTEN committed before
 * the query was sent, so anything the query did not see commits after it and will be notified; see CatalogCache.)
 *
 * <p><b>Group commit.</b> A round must <em>start</em> after the read arrived, but one round serves every read that
 * arrived before it was sent: reads that arrive while a round is in flight share the next one. Under load most reads
 * wait for a round already on its way; a reader alone pays one {@code SELECT 1} on an idle connection. Rounds
 * complete on the listen thread: what a caller chains onto {@link #sync()} must be short and must never wait for
 * another round.
 *
 * <p><b>Sole writer.</b> When this process is provably the only writer of its catalog (the embedded PostgreSQL it
 * started itself), every change is applied to the cache by the commit that made it before it is acknowledged
 * (CachedLogCatalog, CachedVersionCatalog, Catalog), so {@code sync()} answers at once without a round.
 */
public final class CatalogFeed implements AutoCloseable {

    public static final String CHANNEL = "vermilion_catalog";

    private static final Logger LOG = Logger.getLogger(CatalogFeed.class);
    private static final CompletableFuture<Boolean> YES = CompletableFuture.completedFuture(true);
    private static final CompletableFuture<Boolean> NO = CompletableFuture.completedFuture(false);
    private static final long MIN_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final int NETWORK_TIMEOUT_MILLIS = 10_000;

    /** How reads learn that the cache is up to date. */
    public enum Mode {
        /** This process is the catalog's only writer: the cache is up to date whenever the feed listens. */
        SOLE_WRITER,
        /** Other replicas write too: a read waits for a sync round trip on the listen connection. */
        SYNC,
        /** No cache: every read queries the catalog. */
        OFF
    }

    /** Opens a new connection to the catalog. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    private final Connector connector;
    private final CatalogCache cache;
    private final Mode mode;
    private final long idlePollMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private CompletableFuture<Boolean> next; // guarded by lock: the round the next SELECT 1 completes
    private boolean closed; // guarded by lock
    private final Thread thread;
    private volatile Connection connection;
    private volatile int backendPid;
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();

    /**
     * @param idlePollMillis how often an idle feed reads notifications that arrived without a round (they are also
     *                       read by every round)
     */
    public CatalogFeed(Connector connector, CatalogCache cache, Mode mode, long idlePollMillis) {
        this.connector = connector;
        this.cache = cache;
        this.mode = mode;
        this.idlePollMillis = idlePollMillis;
        this.thread = Thread.ofPlatform().name("vermilion-catalog-feed").daemon(true).unstarted(this::run);
    }

    /** Starts listening in the background (nothing happens with {@link Mode#OFF}). */
    public CatalogFeed start() {
        if (mode != Mode.OFF) {
            thread.start();
        }
        return this;
    }

    public Mode mode() {
        return mode;
    }

    public CatalogCache cache() {
        return cache;
    }

    /**
     * Completes with true once every catalog change acknowledged before this call is in the cache (see the class
     * comment), with false if the cache cannot tell (the feed is off or its connection is down): then query.
     */
    public CompletableFuture<Boolean> sync() {
        if (mode == Mode.OFF || !cache.live()) {
            return NO;
        }
        if (mode == Mode.SOLE_WRITER) {
            return YES;
        }
        lock.lock();
        try {
            if (closed) {
                return NO;
            }
            if (next == null) {
                next = new CompletableFuture<>();
                wake.signal();
            }
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** Sync round trips sent so far. */
    public long rounds() {
        return rounds.get();
    }

    /** Times the listen connection was (re)established. */
    public long connects() {
        return connects.get();
    }

    /** The PostgreSQL backend process of the listen connection (0 while there is none); for tests and operators. */
    public int backendPid() {
        return backendPid;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            wake.signal();
        } finally {
            lock.unlock();
        }
        if (thread.isAlive()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        disconnect();
    }

    // ---- the listen thread ----

    private void run() {
        long backoff = MIN_BACKOFF_MILLIS;
        while (!isClosed()) {
            if (connection == null) {
                if (!connect()) {
                    failPending();
                    pause(backoff);
                    backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                    continue;
                }
                backoff = MIN_BACKOFF_MILLIS;
            }
            CompletableFuture<Boolean> round = awaitRound();
            try {
                if (round != null) {
                    rounds.incrementAndGet();
                    try (Statement s = connection.createStatement()) {
                        s.execute("SELECT 1");
                    }
                }
                drain();
                if (round != null) {
                    round.complete(true);
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warnf("Catalog feed connection lost (%s); reads query the catalog until it is back", e.getMessage());
                lost();
                if (round != null) {
                    round.complete(false);
                }
            }
        }
        failPending();
    }

    private boolean connect() {
        Connection c = null;
        try {
            c = connector.open();
            c.setAutoCommit(true);
            c.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS);
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + CHANNEL);
            }
            PGConnection pg = c.unwrap(PGConnection.class);
            connection = c;
            backendPid = pg.getBackendPID();
            connects.incrementAndGet();
            cache.listening(); // LISTEN has committed: whatever commits from now on is notified
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("Catalog feed cannot connect: %s", e.getMessage());
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // gone anyway
                }
            }
            return false;
        }
    }

    /** Reads the notifications the driver holds or the socket has, without waiting, into the cache. */
    private void drain() throws SQLException {
        PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications();
        if (notifications != null) {
            for (PGNotification n : notifications) {
                if (CHANNEL.equals(n.getName())) {
                    cache.apply(n.getParameter());
                }
            }
        }
    }

    private void lost() {
        cache.deaf();
        disconnect();
    }

    private void disconnect() {
        Connection c = connection;
        connection = null;
        backendPid = 0;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }

    /** The next round to send, or null after the idle poll interval passed without one. */
    private CompletableFuture<Boolean> awaitRound() {
        lock.lock();
        try {
            if (next == null && !closed) {
                wake.await(idlePollMillis, TimeUnit.MILLISECONDS);
            }
            CompletableFuture<Boolean> round = next;
            next = null;
            return round;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void failPending() {
        CompletableFuture<Boolean> round;
        lock.lock();
        try {
            round = next;
            next = null;
        } finally {
            lock.unlock();
        }
        if (round != null) {
            round.complete(false);
        }
    }

    private void pause(long millis) {
        lock.lock();
        try {
            if (!closed) {
                wake.await(millis, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }
}
