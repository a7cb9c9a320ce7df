package io.vermilion.gateway;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The least role a resource method needs; methods without it need {@link Role#READ_ONLY}. {@code global}
 * marks operations outside any tenant (creating tenants) that only the bootstrap admin key may call.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Requires {
    Role value();

    boolean global() default false;

    /** The operation spans the whole tenant (creating or deleting databases): database-scoped keys may not. */
    boolean tenantWide() default false;
}
