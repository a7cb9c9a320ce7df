package io.vermilion.client;

/** The caller is not authenticated (401) or not allowed to do this (403). */
public class UnauthorizedException extends VermilionException {

    public UnauthorizedException(int status, String errorName, String message) {
        super(status, errorName, message);
    }
}
