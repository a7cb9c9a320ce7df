package io.vermilion.api;

import io.vermilion.executor.CollectionLanes;
import io.smallrye.mutiny.Uni;
import io.vermilion.compactor.DroppedCollections;
import io.vermilion.log.LogWriter;
import io.vermilion.model.CollectionReader;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.catalog.LogPosition;
import io.vermilion.config.VermilionConfig;
import io.vermilion.executor.CollectionView;
import io.vermilion.record.LogRecord;
import io.vermilion.sysdb.CollectionEntry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The REST layer's door to the engine: appends go through the durable log writer, reads get a reader over the
 * collection's current state. Engine work never runs on the event loop.
 */
@ApplicationScoped
public class Records {

    private final LogWriter writer;
    private static final Logger LOG = Logger.getLogger(Records.class);
    private final CollectionStateCache states;
    private final DroppedCollections garbage;
    private final CollectionLanes lanes;
    private final int boundedWalEntries;

    public Records(LogWriter writer, CollectionStateCache states, DroppedCollections garbage, CollectionLanes lanes,
            VermilionConfig config) {
        this.boundedWalEntries = config.read().boundedWalEntries();
        this.writer = writer;
        this.garbage = garbage;
        this.states = states;
        this.lanes = lanes;
    }

    /** Completes once the records are durable in the log; fails without writing anything otherwise. */
    public Uni<Void> append(UUID collection, List<LogRecord> records) {
        return Uni.createFrom().completionStage(() -> writer.append(collection, records));
    }

    /**
     * Runs {@code read} on a worker thread over one view of the collection that holds every write acknowledged
     * before this call (its compacted version plus the log after it), and releases the view afterwards. The work
     * runs in the collection's lane of the read pool, so one collection's slow reads cannot hold every thread. The
     * collection's log position and version are those {@code entry} carries (CollectionLookup found them after this
     * read arrived, as new as the catalog's), so the engine does not ask the catalog again.
     */
    public <T> Uni<T> read(CollectionEntry entry, Function<CollectionReader, T> read) {
        return readView(entry, ReadLevel.INDEX_AND_WAL, read::apply);
    }

    /** As {@link #read} at a read level (see {@link ReadLevel}). */
    public <T> Uni<T> read(CollectionEntry entry, ReadLevel level, Function<CollectionReader, T> read) {
        return readView(entry, level, read::apply);
    }

    /**
     * As {@link #read}, over the engine's view itself, at a read level: {@code index_only} leaves the log tail out
     * (only what compaction has published), {@code index_and_bounded_wal} keeps only its oldest
     * {@code vermilion.read.bounded-wal-entries} operations.
     */
    public <T> Uni<T> readView(CollectionEntry entry, ReadLevel level, Function<CollectionView, T> read) {
        UUID collection = entry.id();
        return Uni.createFrom().completionStage(() -> {
            // The view is closed by the step that receives it, which nothing outside can cancel: a request whose
            // client went away still releases its view (and with it, perhaps, a superseded version's files).
            CompletableFuture<T> answer = new CompletableFuture<>();
            LogPosition position = new LogPosition(entry.logPosition(), entry.dimension());
            (switch (level) {
                case INDEX_ONLY -> states.indexOnlyView(collection, position, entry.compacted());
                case INDEX_AND_BOUNDED_WAL -> states.boundedView(collection, position, entry.compacted(),
                        boundedWalEntries);
                case INDEX_AND_WAL -> states.view(collection, position, entry.compacted());
            })
                    .whenCompleteAsync((view, failure) -> {
                        if (failure != null) {
                            answer.completeExceptionally(failure);
                            return;
                        }
                        try (view) {
                            answer.complete(read.apply(view));
                        } catch (Throwable t) {
                            answer.completeExceptionally(t);
                        }
                    }, lanes.of(collection));
            return answer;
        });
    }

    /**
     * A collection left the catalog: drop its cached state and delete its objects in the background, except those
     * its forks still read (a failure here only leaves garbage for a later sweep).
     */
    public void dropped(UUID collection) {
        states.forget(collection);
        garbage.purge(collection).whenComplete((v, e) -> {
            if (e != null) {
                LOG.warnf(e, "Could not delete the objects of dropped collection %s", collection);
            }
        });
    }
}
