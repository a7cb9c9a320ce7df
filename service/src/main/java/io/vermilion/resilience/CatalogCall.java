package io.vermilion.resilience;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Guards a bean's catalog calls (methods returning {@code Uni}) with {@link Guards#catalog()}: see
 * {@link CatalogCallInterceptor}. On a class it covers every method; on a method it overrides the class's setting.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface CatalogCall {

    /**
     * The call only reads (or is otherwise safe to repeat), so it is retried after any transient failure. A call that
     * writes is retried only when the database certainly did not apply it (it was never reached, or it rolled the
     * transaction back); after a connection lost mid-transaction it fails with a 503 at once.
     */
    @Nonbinding
    boolean idempotent() default false;
}
