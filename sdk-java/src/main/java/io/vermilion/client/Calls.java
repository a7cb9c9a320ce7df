package io.vermilion.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.client.generated.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Runs calls of the generated client and turns its checked {@link ApiException} into the typed unchecked exceptions of
 * this package: the one place where an HTTP status and Chroma's {@code {"error","message"}} body become an exception.
 */
final class Calls {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUOTA_PREFIX = "Quota exceeded";

    @FunctionalInterface
    interface ApiCall<T> {
        T run() throws ApiException;
    }

    private Calls() {}

    static <T> T call(ApiCall<T> call) {
        try {
            return call.run();
        } catch (ApiException e) {
            throw translate(e);
        }
    }

    static RuntimeException translate(ApiException e) {
        int status = e.getCode();
        if (status == 0) { // no answer: the request could not be sent or the answer not read
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof IOException io) {
                return new UncheckedIOException(io.getMessage(), io);
            }
            return new VermilionException(0, null, String.valueOf(cause.getMessage()), cause);
        }
        String errorName = null;
        String message = null;
        String body = e.getResponseBody();
        if (body != null && !body.isBlank()) {
            try {
                JsonNode node = JSON.readTree(body);
                if (node != null && node.isObject()) {
                    errorName = node.path("error").isTextual() ? node.get("error").asText() : null;
                    message = node.path("message").isTextual() ? node.get("message").asText() : null;
                }
            } catch (IOException notJson) {
                // keep the raw body as the message
            }
        }
        if (message == null) {
            boolean hasBody = body != null && !body.isBlank();
            message = hasBody ? body : e.getMessage() != null ? e.getMessage() : "HTTP " + status;
        }
        return switch (status) {
            case 400 -> new InvalidArgumentException(status, errorName, message);
            case 401, 403 -> new UnauthorizedException(status, errorName, message);
            case 404 -> new NotFoundException(status, errorName, message);
            case 409 -> new UniqueConstraintException(status, errorName, message);
            case 422 -> message.startsWith(QUOTA_PREFIX)
                    ? new QuotaExceededException(status, errorName, message)
                    : new InvalidArgumentException(status, errorName, message);
            case 429 -> new RateLimitedException(status, errorName, message);
            default -> status >= 500
                    ? new ServerException(status, errorName, message)
                    : new VermilionException(status, errorName, message);
        };
    }
}
