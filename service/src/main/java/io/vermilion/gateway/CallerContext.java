package io.vermilion.gateway;

import jakarta.enterprise.context.RequestScoped;

/** The authenticated caller of the current request, set once by {@link AuthFilter}. */
@RequestScoped
public class CallerContext {

    private Caller caller = Caller.ANONYMOUS;

    public Caller get() {
        return caller;
    }

    void set(Caller caller) {
        this.caller = caller;
    }
}
