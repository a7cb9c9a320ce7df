package io.vermilion.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.error.ChromaException;
import io.vermilion.sysdb.PgForkCatalog;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads where a fork starts from its request body: Chroma's {@code {"new_name"}} forks the current state; Vermilion's
 * optional {@code "version"} (a retained version number) or {@code "as_of"} (an RFC 3339 time, or epoch seconds)
 * forks a retained version. Both at once, or a malformed value, is a 422/400 before anything is touched.
 */
final class ForkRequests {

    private ForkRequests() {}

    static PgForkCatalog.ForkPoint point(ObjectNode req) {
        JsonNode version = JsonBody.optional(req, "version");
        JsonNode asOf = JsonBody.optional(req, "as_of");
        if (version != null && asOf != null) {
            throw ChromaException.invalid("Give either version or as_of, not both");
        }
        if (version != null) {
            if (!version.isIntegralNumber() || !version.canConvertToLong() || version.longValue() < 1) {
                throw ChromaException.shape("version", "invalid value: " + JsonBody.describe(version)
                        + ", expected a version number of at least 1");
            }
            return new PgForkCatalog.ForkPoint(version.longValue(), null);
        }
        if (asOf != null) {
            return new PgForkCatalog.ForkPoint(null, instant(asOf));
        }
        return PgForkCatalog.ForkPoint.CURRENT;
    }

    private static Instant instant(JsonNode asOf) {
        if (asOf.isNumber()) {
            double seconds = asOf.doubleValue();
            if (!Double.isFinite(seconds) || seconds < 0 || seconds > 1e11) {
                throw ChromaException.shape("as_of", "invalid value: " + JsonBody.describe(asOf)
                        + ", expected a time (RFC 3339 or epoch seconds)");
            }
            long micros = Math.round(seconds * 1e6);
            return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
        }
        if (asOf.isTextual()) {
            try {
                return Instant.parse(asOf.textValue());
            } catch (DateTimeParseException e) {
                throw ChromaException.shape("as_of", "invalid value: " + JsonBody.describe(asOf)
                        + ", expected a time (RFC 3339 or epoch seconds)");
            }
        }
        throw ChromaException.shape("as_of", "invalid type: " + JsonBody.describe(asOf)
                + ", expected a time (RFC 3339 or epoch seconds)");
    }
}
