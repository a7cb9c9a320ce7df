package io.vermilion.client;

/** What the request names does not exist (404): a tenant, database or collection. */
public class NotFoundException extends VermilionException {

    public NotFoundException(int status, String errorName, String message) {
        super(status, errorName, message);
    }
}
