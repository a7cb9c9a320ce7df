package io.vermilion.client;

/** The caller sent too many requests (429); retry later. */
public class RateLimitedException extends VermilionException {

    public RateLimitedException(int status, String errorName, String message) {
        super(status, errorName, message);
    }
}
