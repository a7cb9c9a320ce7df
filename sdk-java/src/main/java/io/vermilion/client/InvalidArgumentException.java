package io.vermilion.client;

/**
 * The request was refused as invalid (400, or 422 for a body of the wrong shape): a bad name, filter, embedding
 * dimension or record.
 */
public class InvalidArgumentException extends VermilionException {

    public InvalidArgumentException(int status, String errorName, String message) {
        super(status, errorName, message);
    }
}
