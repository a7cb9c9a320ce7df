package io.vermilion.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vermilion.client.generated.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpHeaders;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every HTTP status the server uses becomes the right exception, with Chroma's error name and message. */
class ErrorMappingTest {

    @Test
    void statusAndBodyChooseTheException() {
        assertMapped(400, "InvalidArgumentError", "Invalid where clause", InvalidArgumentException.class);
        assertMapped(400, "ChromaError", "bad json", InvalidArgumentException.class);
        assertMapped(401, "ChromaError", "no key", UnauthorizedException.class);
        assertMapped(403, "ChromaError", "not yours", UnauthorizedException.class);
        assertMapped(404, "NotFoundError", "Collection [x] does not exist", NotFoundException.class);
        assertMapped(409, "ChromaError", "Collection [x] already exists", UniqueConstraintException.class);
        assertMapped(422, "ChromaError", "Quota exceeded: 'ID size (bytes)' exceeded quota limit",
                QuotaExceededException.class);
        assertMapped(422, "ChromaError", "missing field `ids`", InvalidArgumentException.class);
        assertMapped(429, "ChromaError", "slow down", RateLimitedException.class);
        assertMapped(500, "InternalError", "boom", ServerException.class);
        assertMapped(503, "ChromaError", "unavailable", ServerException.class);
        assertMapped(415, "ChromaError", "unsupported", VermilionException.class);
    }

    @Test
    void anAnswerWithoutAnErrorBodyKeepsItsStatus() {
        RuntimeException e = Calls.translate(new ApiException(405, "m", headers(), ""));
        assertInstanceOf(VermilionException.class, e);
        assertEquals(405, ((VermilionException) e).status());
        assertNull(((VermilionException) e).errorName());
        assertEquals("m", e.getMessage());
        RuntimeException notJson = Calls.translate(new ApiException(502, "m", headers(), "<html>bad gateway</html>"));
        assertInstanceOf(ServerException.class, notJson);
        assertEquals("<html>bad gateway</html>", notJson.getMessage());
    }

    @Test
    void noAnswerIsAnIoError() {
        ConnectException refused = new ConnectException("Connection refused");
        RuntimeException e = Calls.translate(new ApiException(refused));
        assertInstanceOf(UncheckedIOException.class, e);
        assertSame(refused, e.getCause());
        assertInstanceOf(IOException.class, e.getCause());
    }

    private static void assertMapped(int status, String name, String message, Class<?> type) {
        String body = "{\"error\":\"" + name + "\",\"message\":\"" + message + "\"}";
        RuntimeException e = Calls.translate(new ApiException(status, "ignored", headers(), body));
        assertEquals(type, e.getClass(), () -> status + " " + message);
        VermilionException v = (VermilionException) e;
        assertEquals(status, v.status());
        assertEquals(name, v.errorName());
        assertEquals(message, v.getMessage());
    }

    private static HttpHeaders headers() {
        return HttpHeaders.of(Map.of(), (a, b) -> true);
    }
}
