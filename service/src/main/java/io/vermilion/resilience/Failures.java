package io.vermilion.resilience;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Which failures of the object store and of the catalog are transient (worth a retry, and counted by the circuit
 * breakers) and which are answers (not found, refused, invalid, a constraint) that a retry would only repeat.
 * Looks through async wrappers ({@link CompletionException} and the like) and through causes.
 */
public final class Failures {

    /** S3 error codes that mean "try again" whatever their status. */
    private static final Set<String> S3_RETRYABLE_CODES = Set.of(
            "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException");

    private static final java.time.Duration UNGUARDED_RETRY_AFTER = java.time.Duration.ofSeconds(1);

    private Failures() {}

    /**
     * A failure of an object-store call that another attempt may not meet: S3 5xx and throttling (429, SlowDown),
     * connection errors and resets, timeouts. Not: a missing object, an invalid key, a corrupt object, other 4xx.
     */
    public static boolean transientStorage(Throwable failure) {
        if (cancelled(failure)) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            switch (t) {
                case io.vermilion.storage.ObjectNotFoundException n -> {
                    return false;
                }
                case io.vermilion.storage.CorruptObjectException c -> {
                    return false;
                }
                case IllegalArgumentException e -> {
                    return false;
                }
                case SdkServiceException s -> {
                    int status = s.statusCode();
                    String code = s instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws
                            && aws.awsErrorDetails() != null ? aws.awsErrorDetails().errorCode() : null;
                    return status >= 500 || status == 429 || status == 408 || s.isThrottlingException()
                            || (code != null && S3_RETRYABLE_CODES.contains(code));
                }
                case SdkClientException c -> {
                    return true; // the request did not get an answer: connection refused, reset, closed, timed out
                }
                case TimeoutException e -> {
                    return true;
                }
                case org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException e -> {
                    return true;
                }
                case IOException e -> {
                    return true;
                }
                case UncheckedIOException e -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    /**
     * A transient object-store failure that says the store may not be serving; only these count toward its circuit
     * breaker. Not: the S3 client's Netty channel still holding the previous request's body handler when it is reused
     * ("Duplicate handler name"), a fault of the client that no request reached the store with. It is retried like any
     * transient failure; counted, a burst of them on parallel calls (a garbage collection's deletes) opened the breaker
     * and failed every call for the breaker's delay while the store was serving.
     */
    public static boolean storageOutage(Throwable failure) {
        if (!transientStorage(failure)) {
            return false;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SdkClientException && t.getMessage() != null
                    && t.getMessage().contains("Duplicate handler name")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the call ended because its caller gave up on it (a cancelled future, an interrupted thread, the SDK's
     * "Request cancelled"): the store did not fail, so neither a retry nor the circuit breaker should count it.
     */
    static boolean cancelled(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.CancellationException || t instanceof InterruptedException
                    || t instanceof software.amazon.awssdk.core.exception.AbortedException) {
                return true;
            }
            if (t instanceof SdkClientException && t.getMessage() != null
                    && t.getMessage().startsWith("Request cancelled")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A failure of a catalog call that another attempt may not meet: PostgreSQL unreachable, the connection lost,
     * the server shutting down or starting up, too many connections, a serialization failure or deadlock, a timeout.
     * Not: a constraint violation, a missing row, a refusal worded for the client.
     */
    public static boolean transientCatalog(Throwable failure) {
        return catalogOutage(failure) || concurrencyConflict(failure);
    }

    /**
     * A transient catalog failure that says PostgreSQL is not serving: unreachable, the connection lost, shutting down
     * or starting up, out of connections, a timeout. Only these count toward the catalog's circuit breaker; an answer
     * of a serving PostgreSQL (a constraint, a serialization failure, a deadlock) never does.
     */
    public static boolean catalogOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            switch (t) {
                case PgException pg -> {
                    return outageSqlState(pg.getSqlState());
                }
                case SQLException sql when outageJdbc(sql) -> {
                    return true; // the JDBC pool (rate-limit buckets, migrations)
                }
                case ClosedConnectionException c -> {
                    return true;
                }
                case io.vertx.sqlclient.TransactionRollbackException r -> {
                    return false; // rolled back on request (its cause, if any, was looked at first)
                }
                case TimeoutException e -> {
                    return true;
                }
                case org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException e -> {
                    return true;
                }
                case IOException e -> {
                    return true; // connection refused, reset, closed channel
                }
                case io.vertx.core.VertxException v when isConnectionMessage(v.getMessage()) -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    /**
     * A transient catalog failure after which the database certainly did not apply the call: it was never reached
     * (connection refused, no connection to be had, the server starting up or out of connections), or it rolled the
     * transaction back (serialization failure, deadlock). Retrying is then safe even for a call that is not
     * idempotent; after any other failure the call may have been applied.
     */
    public static boolean catalogCallNotApplied(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            switch (t) {
                case ConnectException c -> {
                    return true;
                }
                case PgException pg -> {
                    return notAppliedSqlState(pg.getSqlState());
                }
                case SQLException sql when notAppliedSqlState(sql.getSQLState()) -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    /**
     * A failure of the catalog or the object store that reached the API without passing a guard (a call outside the
     * guarded beans, such as the API-key lookup), as the 503 it should be; null when it is neither's outage.
     * Deliberately narrow: only PostgreSQL connection failures and S3 SDK failures qualify.
     */
    public static DependencyUnavailableException asUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            boolean catalog = switch (t) {
                case PgException pg -> transientSqlState(pg.getSqlState());
                case SQLException sql -> transientJdbc(sql);
                case ClosedConnectionException c -> true;
                case ConnectException c -> true;
                default -> false;
            };
            if (catalog) {
                return DependencyUnavailableException.catalog(t, UNGUARDED_RETRY_AFTER);
            }
            if (t instanceof software.amazon.awssdk.core.exception.SdkException && transientStorage(t)) {
                return DependencyUnavailableException.storage(t, UNGUARDED_RETRY_AFTER);
            }
        }
        return null;
    }

    /** The innermost meaningful failure: without async wrappers. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** States after which PostgreSQL certainly did not apply the call: never connected, or rolled back. */
    private static boolean notAppliedSqlState(String state) {
        return "57P03".equals(state) || "53300".equals(state) || "40001".equals(state) || "40P01".equals(state)
                || "08001".equals(state) || "08004".equals(state);
    }

    /**
     * A serialization failure (40001) or deadlock (40P01): PostgreSQL rolled the transaction back because of a
     * concurrent one, so running it again is safe and likely to succeed. Not an outage.
     */
    public static boolean concurrencyConflict(Throwable failure) {
        String state = sqlState(failure);
        return "40001".equals(state) || "40P01".equals(state);
    }

    /**
     * The SQLSTATE of the first failure in the chain that carries one (the reactive client's {@link PgException},
     * a JDBC {@link SQLException}, or Hibernate's wrapper of either); null when none does.
     */
    public static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String state = switch (t) {
                case PgException pg -> pg.getSqlState();
                case SQLException sql -> sql.getSQLState();
                case org.hibernate.JDBCException jdbc -> jdbc.getSQLState();
                default -> null;
            };
            if (state != null) {
                return state;
            }
        }
        return null;
    }

    /** A JDBC failure to reach PostgreSQL: a connection-class state, or no connection to be had from the pool. */
    private static boolean transientJdbc(SQLException sql) {
        return transientSqlState(sql.getSQLState()) || sql instanceof SQLTransientConnectionException;
    }

    private static boolean outageJdbc(SQLException sql) {
        return outageSqlState(sql.getSQLState()) || sql instanceof SQLTransientConnectionException;
    }

    /** PostgreSQL states that come and go: an outage, or a serialization failure or deadlock. */
    private static boolean transientSqlState(String state) {
        return outageSqlState(state) || "40001".equals(state) || "40P01".equals(state);
    }

    /** PostgreSQL not serving: connection exceptions (08), shutdown and startup (57P0x), too many connections. */
    private static boolean outageSqlState(String state) {
        if (state == null) {
            return false;
        }
        return state.startsWith("08") || state.startsWith("57P") || "53300".equals(state);
    }

    private static boolean isConnectionMessage(String message) {
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("connection") && (m.contains("closed") || m.contains("refused") || m.contains("reset")
                || m.contains("lost"));
    }

    /** Whether any cause is of {@code type}. */
    static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** A short, internals-free reason for a 503 message. */
    static String reason(Throwable failure) {
        if (causedBy(failure, org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException.class)) {
            return "circuit breaker open after repeated failures";
        }
        if (causedBy(failure, org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException.class)
                || causedBy(failure, TimeoutException.class)) {
            return "timed out";
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SdkServiceException s) {
                return "status " + s.statusCode();
            }
            if (t instanceof PgException pg) {
                return "SQLSTATE " + pg.getSqlState();
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && !sql.getSQLState().startsWith("08")) {
                return "SQLSTATE " + sql.getSQLState();
            }
        }
        if (causedBy(failure, ConnectException.class)) {
            return "connection refused";
        }
        if (causedBy(failure, ClosedConnectionException.class) || causedBy(failure, ClosedChannelException.class)
                || causedBy(failure, IOException.class)) {
            return "connection failed";
        }
        return "unavailable";
    }
}
