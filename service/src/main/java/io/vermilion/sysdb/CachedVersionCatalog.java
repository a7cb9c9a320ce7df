package io.vermilion.sysdb;

import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * A {@link VersionCatalog} that answers {@link #currentVersion} from the {@link CatalogCache} when the
 * {@link CatalogFeed} says it is up to date, and otherwise asks the catalog (filling the cache). Its own publishes
 * move the cache before they complete. Leases always go to the catalog. Answers continue on {@code executor}.
 */
public final class CachedVersionCatalog implements VersionCatalog {

    private final VersionCatalog catalog;
    private final CatalogFeed feed;
    private final Executor executor;

    public CachedVersionCatalog(VersionCatalog catalog, CatalogFeed feed, Executor executor) {
        this.catalog = catalog;
        this.feed = feed;
        this.executor = executor;
    }

    @Override
    public CompletionStage<Optional<VersionRef>> currentVersion(UUID collection) {
        CatalogCache cache = feed.cache();
        return feed.sync().thenComposeAsync(synced -> {
            Optional<VersionRef> known = synced ? cache.version(collection) : null;
            if (known != null) {
                return CompletableFuture.completedFuture(known);
            }
            if (!synced) {
                cache.missed();
            }
            CatalogCache.Token token = cache.token(collection);
            return catalog.currentVersion(collection).thenApply(found -> {
                cache.offer(token, null, null, true, found.orElse(null));
                return found;
            });
        }, executor);
    }

    @Override
    public CompletionStage<Boolean> publish(UUID collection, long expectedCurrentVersion, VersionRef next) {
        CatalogCache cache = feed.cache();
        CatalogCache.Token token = cache.token(collection);
        return catalog.publish(collection, expectedCurrentVersion, next).thenApply(published -> {
            if (published) {
                cache.offer(token, null, null, true, next);
            }
            return published;
        });
    }

    @Override
    public CompletionStage<Boolean> tryAcquireLease(UUID collection, String holder, Duration ttl) {
        return catalog.tryAcquireLease(collection, holder, ttl);
    }

    @Override
    public CompletionStage<Boolean> renewLease(UUID collection, String holder, Duration ttl) {
        return catalog.renewLease(collection, holder, ttl);
    }

    @Override
    public CompletionStage<Void> releaseLease(UUID collection, String holder) {
        return catalog.releaseLease(collection, holder);
    }
}
