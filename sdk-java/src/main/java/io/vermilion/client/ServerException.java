package io.vermilion.client;

/** The server failed (5xx); the request may be retried. */
public class ServerException extends VermilionException {

    public ServerException(int status, String errorName, String message) {
        super(status, errorName, message);
    }
}
