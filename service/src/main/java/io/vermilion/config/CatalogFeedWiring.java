package io.vermilion.config;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vermilion.sysdb.CatalogCache;
import io.vermilion.sysdb.CatalogFeed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.sql.DriverManager;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Builds this replica's catalog cache and the change feed that keeps it up to date, on its own JDBC connection to the
 * catalog, in the mode {@code vermilion.catalog.read-cache} picks; and publishes their counters:
 * {@code vermilion_catalog_cache_reads_total{result="hit"|"miss"}} (reads of collection state served from memory or
 * by a catalog query), {@code vermilion_catalog_feed_rounds_total} (sync round trips),
 * {@code vermilion_catalog_feed_notifications_total} and {@code vermilion_catalog_feed_live} (1 while listening).
 */
@ApplicationScoped
public class CatalogFeedWiring {

    private static final Logger LOG = Logger.getLogger(CatalogFeedWiring.class);
    private static final long IDLE_POLL_MILLIS = 100;

    @Produces
    @Singleton
    CatalogCache catalogCache() {
        return new CatalogCache();
    }

    @Produces
    @Singleton
    @Startup
    CatalogFeed catalogFeed(CatalogCache cache, VermilionConfig config, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") Optional<String> jdbcUrl,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> reactiveUrl,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        CatalogFeed.Mode mode = mode(config.catalog().readCache(), config.catalog().embeddedDataDir().isPresent());
        String url = jdbcUrl.orElseGet(() -> reactiveUrl.map(u -> "jdbc:" + u.replaceFirst("^postgres(ql)?://",
                "postgresql://")).orElse(null));
        if (url == null) {
            mode = CatalogFeed.Mode.OFF;
        }
        Properties properties = new Properties();
        user.ifPresent(u -> properties.setProperty("user", u));
        password.ifPresent(p -> properties.setProperty("password", p));
        properties.setProperty("ApplicationName", "vermilion-catalog-feed");
        properties.setProperty("connectTimeout", "10");
        LOG.infof("Catalog read cache: %s", mode.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        CatalogFeed feed = new CatalogFeed(() -> DriverManager.getConnection(url, properties), cache, mode,
                IDLE_POLL_MILLIS);
        register(registry, feed);
        return feed.start();
    }

    void closeCatalogFeed(@Disposes CatalogFeed feed) {
        feed.close();
    }

    /** The mode a {@code vermilion.catalog.read-cache} setting names; {@code auto} depends on who runs the catalog. */
    static CatalogFeed.Mode mode(String setting, boolean embeddedCatalogStartedHere) {
        return switch (setting.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> embeddedCatalogStartedHere ? CatalogFeed.Mode.SOLE_WRITER : CatalogFeed.Mode.SYNC;
            case "sync" -> CatalogFeed.Mode.SYNC;
            case "sole-writer" -> CatalogFeed.Mode.SOLE_WRITER;
            case "off" -> CatalogFeed.Mode.OFF;
            default -> throw new IllegalStateException("vermilion.catalog.read-cache must be auto, sync, sole-writer "
                    + "or off, not '" + setting + "'");
        };
    }

    private static void register(MeterRegistry registry, CatalogFeed feed) {
        CatalogCache cache = feed.cache();
        String reads = "Reads of a collection's catalog state, served from memory (hit) or by a catalog query (miss)";
        FunctionCounter.builder("vermilion.catalog_cache.reads", cache, CatalogCache::hits)
                .description(reads).tag("result", "hit").register(registry);
        FunctionCounter.builder("vermilion.catalog_cache.reads", cache, CatalogCache::misses)
                .description(reads).tag("result", "miss").register(registry);
        FunctionCounter.builder("vermilion.catalog_feed.rounds", feed, CatalogFeed::rounds)
                .description("Sync round trips on the catalog feed's listen connection").register(registry);
        FunctionCounter.builder("vermilion.catalog_feed.notifications", cache, CatalogCache::notifications)
                .description("Catalog change notifications applied").register(registry);
        Gauge.builder("vermilion.catalog_feed.live", cache, c -> c.live() ? 1 : 0)
                .description("1 while the catalog feed listens (reads may be served from memory)").register(registry);
    }
}
