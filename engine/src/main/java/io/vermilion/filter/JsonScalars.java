package io.vermilion.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;

/**
 * Classifies JSON values the way Chroma's parser (serde_json) sees them: an integer literal within i64 is an int,
 * a literal with a fraction or exponent is a float, an integer beyond u64 or below i64 is a float, and an integer
 * between i64 and u64 is neither (so it fails the clause).
 */
final class JsonScalars {

    enum Kind { STRING, BOOL, FLOAT, INT, OTHER }

    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private JsonScalars() {}

    static Kind kind(JsonNode node) {
        if (node == null) {
            return Kind.OTHER;
        }
        if (node.isTextual()) {
            return Kind.STRING;
        }
        if (node.isBoolean()) {
            return Kind.BOOL;
        }
        if (node.isFloatingPointNumber()) {
            return Kind.FLOAT;
        }
        if (node.isIntegralNumber()) {
            if (node.canConvertToLong()) {
                return Kind.INT;
            }
            BigInteger value = node.bigIntegerValue();
            boolean u64Only = value.signum() > 0 && value.compareTo(U64_MAX) <= 0;
            return u64Only ? Kind.OTHER : Kind.FLOAT;
        }
        return Kind.OTHER;
    }
}
