package io.vermilion.resilience;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.lang.reflect.Method;
import java.util.concurrent.TimeoutException;

/**
 * Applies the catalog's guard ({@link Guards#catalog()}) to {@link CatalogCall} methods that return {@code Uni}: the
 * catalog CRUD of Hibernate Reactive and the record routes' collection lookup. Each attempt re-invokes the method
 * (a fresh transaction) and times out after {@code vermilion.resilience.catalog.timeout}; what is left of a transient
 * failure becomes a {@link DependencyUnavailableException} (503). Refusals worded for the client (not found, already
 * exists) pass through untouched and count as successes for the circuit breaker.
 *
 * <p>A timed-out attempt is never retried: its transaction may still be running in the request's Vert.x context and
 * a second one would share its reactive session.
 */
@CatalogCall
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class CatalogCallInterceptor {

    private static final TypeLiteral<Uni<Object>> UNI = new TypeLiteral<>() {};

    private final Guards guards;

    public CatalogCallInterceptor(Guards guards) {
        this.guards = guards;
    }

    @AroundInvoke
    Object guard(InvocationContext ctx) throws Exception {
        Method method = ctx.getMethod();
        if (!Uni.class.isAssignableFrom(method.getReturnType())) {
            return ctx.proceed();
        }
        boolean idempotent = idempotent(method);
        Uni<Object> guarded = guards.catalog().call(() -> attempt(ctx, idempotent), UNI);
        return guarded.onFailure().transform(guards::catalogFailure);
    }

    @SuppressWarnings("unchecked")
    private Uni<Object> attempt(InvocationContext ctx, boolean idempotent) throws Exception {
        Uni<Object> attempt = ((Uni<Object>) ctx.proceed())
                .ifNoItem().after(guards.catalogTimeout())
                .failWith(() -> new NotRetryableException(new TimeoutException(
                        "catalog call timed out after " + guards.catalogTimeout().toMillis() + " ms")));
        if (idempotent) {
            return attempt;
        }
        return attempt.onFailure(f -> !(f instanceof NotRetryableException) && Failures.transientCatalog(f)
                        && !Failures.catalogCallNotApplied(f))
                .transform(NotRetryableException::new);
    }

    private static boolean idempotent(Method method) {
        CatalogCall call = method.getAnnotation(CatalogCall.class);
        if (call == null) {
            call = method.getDeclaringClass().getAnnotation(CatalogCall.class);
        }
        return call != null && call.idempotent();
    }
}
