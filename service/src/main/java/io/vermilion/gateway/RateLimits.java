package io.vermilion.gateway;

import io.vermilion.sysdb.PostgresBucketStore;
import io.vermilion.sysdb.BucketStore;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vermilion.config.VermilionConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Named;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Token-bucket rate limits: every request of an API key takes a token from the key's bucket and then one from its
 * tenant's, each refilled continuously at its configured rate ({@code vermilion.rate-limit.*}). Buckets live in a
 * {@link BucketStore}: in PostgreSQL by default, so the limits hold across all replicas, or in memory. If the store
 * fails, requests are let through (logged): the limits protect the service, they must not take it down.
 */
@ApplicationScoped
public class RateLimits {

    public static final String MESSAGE = "Too many requests; backoff and try again";
    private static final Logger LOG = Logger.getLogger(RateLimits.class);
    private static final long SWEEP_EVERY_SECONDS = 60;
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** Whether a request may go on, and if not, in how many whole seconds (at least 1) it may be retried. */
    public record Decision(boolean allowed, long retryAfterSeconds) {
        static final Decision ALLOWED = new Decision(true, 0);
    }

    /** One kind of bucket: its configuration, and a signature of it that is part of each bucket's id. */
    record Rate(String signature, BucketConfiguration configuration) {

        /** {@code perSecond} sustained, a full bucket holding {@code burst} seconds of it (at least one token). */
        static Rate of(String name, double perSecond, double burst) {
            if (!(perSecond > 0) || !(burst > 0)) {
                throw new IllegalStateException("vermilion.rate-limit." + name + " and burst must be positive");
            }
            long capacity = Math.max(1, (long) Math.ceil(perSecond * burst));
            long periodNanos = Math.round(capacity / perSecond * 1e9);
            BucketConfiguration configuration = BucketConfiguration.builder()
                    .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, Duration.ofNanos(periodNanos)).build())
                    .build();
            // A changed rate gets new buckets instead of reinterpreting stored ones.
            return new Rate(capacity + "/" + periodNanos, configuration);
        }
    }

    private final boolean enabled;
    private final Rate perKey;
    private final Rate perTenant;
    private final BucketStore store;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private ScheduledFuture<?> sweeper;

    public RateLimits(VermilionConfig config, Instance<DataSource> dataSource,
            @Named("scheduler") ScheduledExecutorService scheduler) {
        VermilionConfig.RateLimit c = config.rateLimit();
        boolean authOn = config.adminKey().filter(k -> !k.isBlank()).isPresent();
        this.enabled = c.enabled().orElse(authOn);
        this.perKey = Rate.of("per-key", c.perKey(), c.burst());
        this.perTenant = Rate.of("per-tenant", c.perTenant(), c.burst());
        this.scheduler = scheduler;
        this.store = !enabled ? null : switch (c.store()) {
            case "postgres" -> new PostgresBucketStore(dataSource.get());
            case "memory" -> new InMemoryBucketStore();
            default -> throw new IllegalStateException(
                    "vermilion.rate-limit.store must be 'postgres' or 'memory', not '" + c.store() + "'");
        };
    }

    public boolean enabled() {
        return enabled;
    }

    /** True when {@link #acquire} blocks (the PostgreSQL store) and must run on a worker thread. */
    public boolean blocking() {
        return store != null && store.blocking();
    }

    /**
     * One request of {@code key} on behalf of {@code tenant} (null: no tenant bucket). The key's bucket is asked
     * first, so a key over its own limit does not use up its tenant's tokens.
     */
    public Decision acquire(String key, String tenant) {
        try {
            ConsumptionProbe byKey = store.tryConsume("key:" + key + ":" + perKey.signature(), perKey.configuration());
            if (!byKey.isConsumed()) {
                return refused(byKey);
            }
            if (tenant != null) {
                ConsumptionProbe byTenant =
                        store.tryConsume("tenant:" + tenant + ":" + perTenant.signature(), perTenant.configuration());
                if (!byTenant.isConsumed()) {
                    return refused(byTenant);
                }
            }
            return Decision.ALLOWED;
        } catch (RuntimeException e) {
            long now = System.nanoTime();
            long last = lastWarning.get();
            if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                LOG.warn("Rate limit store failed; letting requests through", e);
            }
            return Decision.ALLOWED;
        }
    }

    static Decision refused(ConsumptionProbe probe) {
        long nanos = probe.getNanosToWaitForRefill();
        return new Decision(false, Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L));
    }

    void start(@Observes StartupEvent event) {
        if (blocking()) {
            sweeper = scheduler.scheduleWithFixedDelay(this::sweep, SWEEP_EVERY_SECONDS, SWEEP_EVERY_SECONDS, TimeUnit.SECONDS);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
    }

    private void sweep() {
        try {
            store.sweep();
        } catch (RuntimeException e) {
            LOG.warn("Sweeping expired rate-limit buckets failed; it will run again", e);
        }
    }
}
