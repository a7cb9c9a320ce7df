package io.vermilion.client;

/** What the request would create already exists (409), e.g. a collection of the same name. */
public class UniqueConstraintException extends VermilionException {

    public UniqueConstraintException(int status, String errorName, String message) {
        super(status, errorName, message);
    }
}
