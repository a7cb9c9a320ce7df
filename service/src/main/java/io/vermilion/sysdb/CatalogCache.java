package io.vermilion.sysdb;

import io.vermilion.catalog.LogPosition;
import io.vermilion.catalog.VersionRef;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This replica's copy of the catalog state reads need: per collection its row, log position and current compacted
 * version, kept up to date by the {@link CatalogFeed}'s notifications and by this replica's own commits. It holds
 * values only while the feed listens ({@link #live}); losing the listen connection empties it.
 *
 * <p>Rules that make a held value never older than a notification already applied: log positions and versions only
 * move forward, so every source (query, own commit, notification) is merged by taking the later one, in any order. A
 * row is replaced, so a row read by a query is kept only if no change of that row was applied since the query started
 * ({@link Token}); a deleted collection's entry goes, and nothing read before the delete can bring it back. Values
 * read by queries are kept only if the feed listened, without interruption, since before the query was sent.
 * Thread-safe.
 */
public final class CatalogCache {

    /** A collection's catalog row, without what moves on every write (log position, dimension). */
    public record Row(UUID id, String name, String tenant, String database, UUID databaseId, String metadataJson,
            io.vermilion.model.CollectionConfiguration configuration, int version) {}

    /** What a read of the collection needs, all known: its row, where its log ends, its current version (or none). */
    public record State(Row row, LogPosition position, VersionRef version) {

        public CollectionEntry entry() {
            return new CollectionEntry(row.id(), row.name(), row.tenant(), row.database(), row.databaseId(),
                    row.metadataJson(), row.configuration(), position.dimension(), position.nextOffset(),
                    row.version(), version);
        }
    }

    /**
     * Taken before a query or commit whose answer is to be kept: the answer is kept only if the entry is still the
     * collection's, in the same listening epoch, and (for rows) unchanged since.
     */
    public record Token(UUID collection, Entry entry, long rowGeneration, long epoch) {}

    /** One collection's known values; guarded by itself. */
    public static final class Entry {
        private long rowGeneration;
        private Row row;
        private LogPosition position;
        private boolean versionKnown;
        private VersionRef version;
    }

    private final ConcurrentHashMap<UUID, Entry> entries = new ConcurrentHashMap<>();
    private final Object epochLock = new Object();
    private volatile long epoch;
    private volatile boolean live;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong notifications = new AtomicLong();

    /** Whether values are held: the feed listens and has since this epoch began. */
    public boolean live() {
        return live;
    }

    /** The feed (re)established its LISTEN: from now on values may be kept (the cache starts empty). */
    void listening() {
        synchronized (epochLock) {
            entries.clear();
            epoch++;
            live = true;
        }
    }

    /** The feed lost its connection: notifications may be missed, so nothing held can be trusted any more. */
    void deaf() {
        synchronized (epochLock) {
            live = false;
            epoch++;
            entries.clear();
        }
    }

    /** A token for keeping what a query or commit about to start returns; null if nothing can be kept now. */
    public Token token(UUID collection) {
        long e = epoch;
        if (!live) {
            return null;
        }
        Entry entry = entries.computeIfAbsent(collection, id -> new Entry());
        synchronized (entry) {
            return new Token(collection, entry, entry.rowGeneration, e);
        }
    }

    /** Everything a read needs, if all of it is known; counts a hit or a miss. */
    public State state(UUID collection) {
        State s = peek(collection);
        (s == null ? misses : hits).incrementAndGet();
        return s;
    }

    /** Counts a read that could not use the cache (it was not known to be up to date) and answers null. */
    public State missed() {
        misses.incrementAndGet();
        return null;
    }

    private State peek(UUID collection) {
        if (!live) {
            return null;
        }
        Entry entry = entries.get(collection);
        if (entry == null) {
            return null;
        }
        synchronized (entry) {
            return entry.row != null && entry.position != null && entry.versionKnown
                    ? new State(entry.row, entry.position, entry.version) : null;
        }
    }

    /** The collection's log position if known; counts a hit or a miss. */
    public LogPosition position(UUID collection) {
        LogPosition p = null;
        Entry entry = live ? entries.get(collection) : null;
        if (entry != null) {
            synchronized (entry) {
                p = entry.position;
            }
        }
        (p == null ? misses : hits).incrementAndGet();
        return p;
    }

    /** The collection's current version if known: an empty optional when none is published; null when unknown. */
    public java.util.Optional<VersionRef> version(UUID collection) {
        java.util.Optional<VersionRef> v = null;
        Entry entry = live ? entries.get(collection) : null;
        if (entry != null) {
            synchronized (entry) {
                if (entry.versionKnown) {
                    v = java.util.Optional.ofNullable(entry.version);
                }
            }
        }
        (v == null ? misses : hits).incrementAndGet();
        return v;
    }

    /** Keeps what a query read (any part may be null: not read), if {@code token} is still good. */
    public void offer(Token token, Row row, LogPosition position, boolean versionRead, VersionRef version) {
        if (token == null || !current(token)) {
            return;
        }
        Entry entry = token.entry();
        synchronized (entry) {
            if (row != null && entry.rowGeneration == token.rowGeneration()) {
                entry.row = row;
            }
            merge(entry, position);
            if (versionRead) {
                mergeVersion(entry, version);
            }
        }
    }

    /**
     * This replica committed a fragment ending at {@code position} (its dimension: what the commit fixed, or null when
     * it left it alone, unknown then); kept if {@code token}, taken before the commit, is still good.
     */
    public void committed(Token token, LogPosition position) {
        if (token == null || !current(token)) {
            return;
        }
        Entry entry = token.entry();
        synchronized (entry) {
            if (entry.position != null || position.dimension() != null) {
                merge(entry, position);
            }
        }
    }

    /** The query {@code token} was taken for found no such collection: nothing to keep for it. */
    public void absent(Token token) {
        if (token != null) {
            entries.remove(token.collection(), token.entry());
        }
    }

    private boolean current(Token token) {
        return token.epoch() == epoch && live && entries.get(token.collection()) == token.entry();
    }

    // ---- changes: from notifications (any replica) and from this replica's own commits ----

    /** Applies one notification payload of the feed (see V6__catalog_feed.sql); unknown payloads are ignored. */
    void apply(String payload) {
        notifications.incrementAndGet();
        String[] p = payload.split(" ", 5);
        if (p.length < 2) {
            return;
        }
        UUID id;
        try {
            id = UUID.fromString(p[1]);
            switch (p[0]) {
                case "p" -> advanced(id, new LogPosition(Long.parseLong(p[2]),
                        "-".equals(p[3]) ? null : Integer.valueOf(p[3])));
                case "v" -> published(id, new VersionRef(Long.parseLong(p[2]), p[4], Long.parseLong(p[3])));
                case "r" -> rowChanged(id);
                case "d" -> deleted(id);
                default -> { }
            }
        } catch (RuntimeException e) {
            // a payload this version does not understand: nothing to apply
        }
    }

    /** The collection's log now ends at {@code position} (or later). */
    public void advanced(UUID collection, LogPosition position) {
        Entry entry = entries.get(collection);
        if (entry != null) {
            synchronized (entry) {
                merge(entry, position);
            }
        }
    }

    /** The collection's current version is now {@code version} (or later). */
    public void published(UUID collection, VersionRef version) {
        Entry entry = entries.get(collection);
        if (entry != null) {
            synchronized (entry) {
                mergeVersion(entry, version);
            }
        }
    }

    /** The collection's row changed: the next read reads it again. */
    public void rowChanged(UUID collection) {
        Entry entry = entries.get(collection);
        if (entry != null) {
            synchronized (entry) {
                entry.row = null;
                entry.rowGeneration++;
            }
        }
    }

    /** The collection was deleted: forget it, and refuse whatever was read about it before. */
    public void deleted(UUID collection) {
        Entry entry = entries.remove(collection);
        if (entry != null) {
            synchronized (entry) {
                entry.row = null;
                entry.rowGeneration++;
            }
        }
    }

    private static void merge(Entry entry, LogPosition position) {
        if (position == null) {
            return;
        }
        LogPosition held = entry.position;
        if (held == null || position.nextOffset() > held.nextOffset()
                || (position.nextOffset() == held.nextOffset() && held.dimension() == null)) {
            Integer dimension = position.dimension() != null ? position.dimension() : held == null ? null : held.dimension();
            entry.position = new LogPosition(position.nextOffset(), dimension);
        } else if (held.dimension() == null && position.dimension() != null) {
            entry.position = new LogPosition(held.nextOffset(), position.dimension());
        }
    }

    private static void mergeVersion(Entry entry, VersionRef version) {
        if (!entry.versionKnown) {
            entry.versionKnown = true;
            entry.version = version;
        } else if (version != null && (entry.version == null || version.version() > entry.version.version())) {
            entry.version = version;
        }
    }

    // ---- counters ----

    /** Reads answered from memory, without a catalog query. */
    public long hits() {
        return hits.get();
    }

    /** Reads that had to query the catalog. */
    public long misses() {
        return misses.get();
    }

    /** Notifications applied. */
    public long notifications() {
        return notifications.get();
    }
}
