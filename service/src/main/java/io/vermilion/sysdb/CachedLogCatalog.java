package io.vermilion.sysdb;

import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * A {@link LogCatalog} that answers {@link #position} from the {@link CatalogCache} when the {@link CatalogFeed} says
 * it is up to date, and otherwise asks the catalog (filling the cache). Its own commits advance the cache before they
 * complete, so a write this replica acknowledges is in its cache before the client hears of it. Answers continue on
 * {@code executor}, never on the feed's thread.
 */
public final class CachedLogCatalog implements LogCatalog {

    private final LogCatalog catalog;
    private final CatalogFeed feed;
    private final Executor executor;

    public CachedLogCatalog(LogCatalog catalog, CatalogFeed feed, Executor executor) {
        this.catalog = catalog;
        this.feed = feed;
        this.executor = executor;
    }

    @Override
    public CompletionStage<Optional<LogPosition>> position(UUID collection) {
        CatalogCache cache = feed.cache();
        return feed.sync().thenComposeAsync(synced -> {
            LogPosition known = synced ? cache.position(collection) : null;
            if (known != null) {
                return CompletableFuture.completedFuture(Optional.of(known));
            }
            if (!synced) {
                cache.missed();
            }
            CatalogCache.Token token = cache.token(collection);
            return catalog.position(collection).thenApply(found -> {
                if (found.isPresent()) {
                    cache.offer(token, null, found.get(), false, null);
                } else {
                    cache.absent(token);
                }
                return found;
            });
        }, executor);
    }

    @Override
    public CompletionStage<CommitResult> commit(UUID collection, FragmentRef fragment, Integer dimension) {
        CatalogCache cache = feed.cache();
        CatalogCache.Token token = cache.token(collection);
        return catalog.commit(collection, fragment, dimension).thenApply(result -> {
            if (result == CommitResult.COMMITTED) {
                cache.committed(token, new LogPosition(fragment.endOffset(), dimension));
            }
            return result;
        });
    }

    @Override
    public CompletionStage<List<FragmentRef>> fragments(UUID collection, long fromOffset) {
        return catalog.fragments(collection, fromOffset);
    }

    @Override
    public CompletionStage<Integer> forget(UUID collection, long beforeOffset) {
        return catalog.forget(collection, beforeOffset);
    }
}
