package io.vermilion.client;

/**
 * The request exceeds a limit of the server (422, message starting "Quota exceeded"); the message names the limit and
 * its value.
 */
public class QuotaExceededException extends VermilionException {

    public QuotaExceededException(int status, String errorName, String message) {
        super(status, errorName, message);
    }
}
