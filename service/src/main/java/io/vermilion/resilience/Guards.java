package io.vermilion.resilience;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.Predicate;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The fault-tolerance policies (SmallRye Fault Tolerance guards) of the two dependencies: one guard, and so one
 * circuit breaker, for every call to the object store, one for every call to the catalog. Thread-safe.
 *
 * <p>Per call: retries (exponential backoff with jitter) around the circuit breaker around a per-attempt timeout. Only
 * transient failures ({@link Failures}) are retried; only outages are counted by the breaker (for the catalog: not a
 * serialization failure or deadlock, which is PostgreSQL answering; for the object store: not a fault of the S3 client's
 * reused channel; both are only retried). An open breaker fails calls
 * at once and is not retried. The catalog guard has no timeout of its own: its callers time each attempt themselves, because
 * whether a timed-out attempt may be retried depends on the call (see {@link CatalogCallInterceptor}).
 */
@Singleton
public final class Guards {

    public static final String OBJECT_STORE_BREAKER = "object-store";
    public static final String CATALOG_BREAKER = "catalog";

    private final ResilienceConfig config;
    private final CircuitBreakerMaintenance breakers;
    private final Guard objectStore;
    private final Guard catalog;

    public Guards(ResilienceConfig config, CircuitBreakerMaintenance breakers) {
        this.config = config;
        this.breakers = breakers;
        ResilienceConfig.ObjectStore s = config.objectStore();
        this.objectStore = Guard.create()
                .withDescription("vermilion object store")
                .withTimeout().duration(s.timeout().toMillis(), ChronoUnit.MILLIS).done()
                .withRetry()
                    .maxRetries(s.maxRetries())
                    .delay(s.backoff().toMillis(), ChronoUnit.MILLIS)
                    .jitter(s.jitter().toMillis(), ChronoUnit.MILLIS)
                    .maxDuration(maxDuration(s.timeout(), s.maxRetries(), s.maxBackoff()), ChronoUnit.MILLIS)
                    .whenException(retryable(Failures::transientStorage))
                    .withExponentialBackoff().factor(2).maxDelay(s.maxBackoff().toMillis(), ChronoUnit.MILLIS).done()
                    .done()
                .withCircuitBreaker()
                    .name(OBJECT_STORE_BREAKER)
                    .requestVolumeThreshold(s.breakerWindow())
                    .failureRatio(s.breakerFailureRatio())
                    .delay(s.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(1)
                    .when(Failures::storageOutage)
                    .done()
                .build();
        ResilienceConfig.Catalog c = config.catalog();
        this.catalog = Guard.create()
                .withDescription("vermilion catalog")
                .withRetry()
                    .maxRetries(c.maxRetries())
                    .delay(c.backoff().toMillis(), ChronoUnit.MILLIS)
                    .jitter(c.jitter().toMillis(), ChronoUnit.MILLIS)
                    .maxDuration(maxDuration(c.timeout(), c.maxRetries(), c.maxBackoff()), ChronoUnit.MILLIS)
                    .whenException(retryable(Failures::transientCatalog))
                    .withExponentialBackoff().factor(2).maxDelay(c.maxBackoff().toMillis(), ChronoUnit.MILLIS).done()
                    .done()
                .withCircuitBreaker()
                    .name(CATALOG_BREAKER)
                    .requestVolumeThreshold(c.breakerWindow())
                    .failureRatio(c.breakerFailureRatio())
                    .delay(c.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(1)
                    .when(Failures::catalogOutage)
                    .done()
                .build();
    }

    public Guard objectStore() {
        return objectStore;
    }

    public Guard catalog() {
        return catalog;
    }

    /** CLOSED, OPEN or HALF_OPEN. */
    public String breakerState(String name) {
        return breakers.currentState(name).name();
    }

    public Duration catalogTimeout() {
        return config.catalog().timeout();
    }

    /**
     * How long an object-store call may take at most: every attempt timed out and every backoff waited, plus one
     * attempt's timeout. A call still open then lost its answer ({@link CallDeadline}).
     */
    Duration objectStoreDeadline() {
        ResilienceConfig.ObjectStore s = config.objectStore();
        return Duration.ofMillis(maxDuration(s.timeout(), s.maxRetries(), s.maxBackoff()) + s.timeout().toMillis());
    }

    /** As {@link #objectStoreDeadline()}, for a catalog call. */
    Duration catalogDeadline() {
        ResilienceConfig.Catalog c = config.catalog();
        return Duration.ofMillis(maxDuration(c.timeout(), c.maxRetries(), c.maxBackoff()) + c.timeout().toMillis());
    }

    /** The object store's failure as the client should see it: 503 for a transient one, itself otherwise. */
    public Throwable storageFailure(Throwable failure) {
        Throwable cause = withoutMarker(Failures.unwrap(failure));
        if (cause instanceof DependencyUnavailableException || !unavailable(cause, Failures::transientStorage)) {
            return cause;
        }
        return DependencyUnavailableException.storage(cause, retryAfter(cause, config.objectStore().breakerDelay()));
    }

    /** The catalog's failure as the client should see it: 503 for a transient one, itself otherwise. */
    public Throwable catalogFailure(Throwable failure) {
        Throwable cause = withoutMarker(Failures.unwrap(failure));
        if (cause instanceof DependencyUnavailableException || !unavailable(cause, Failures::transientCatalog)) {
            return cause;
        }
        return DependencyUnavailableException.catalog(cause, retryAfter(cause, config.catalog().breakerDelay()));
    }

    private static Throwable withoutMarker(Throwable failure) {
        return failure instanceof NotRetryableException marked ? Failures.unwrap(marked.getCause()) : failure;
    }

    private static boolean unavailable(Throwable cause, Predicate<Throwable> transientFailure) {
        return cause instanceof CircuitBreakerOpenException || transientFailure.test(cause);
    }

    /** An open breaker lets a trial call through after its delay; otherwise the configured pause. */
    private Duration retryAfter(Throwable cause, Duration breakerDelay) {
        return cause instanceof CircuitBreakerOpenException ? breakerDelay : config.retryAfter();
    }

    /** Retry what is transient, unless the caller marked it as not safe to repeat. */
    private static Predicate<Throwable> retryable(Predicate<Throwable> transientFailure) {
        return failure -> !Failures.causedBy(failure, NotRetryableException.class) && transientFailure.test(failure);
    }

    /** Long enough for every attempt to time out and every backoff to pass (SmallRye's default is 3 minutes). */
    private static long maxDuration(Duration timeout, int maxRetries, Duration maxBackoff) {
        return (timeout.toMillis() + maxBackoff.toMillis()) * (maxRetries + 1L) + 1_000;
    }
}
