package io.vermilion.filter;

/**
 * A {@code where} or {@code where_document} clause that Chroma refuses, carrying Chroma's exact message (the
 * service maps it to HTTP 400 {@code InvalidArgumentError}). Unchecked; thrown only while parsing or validating.
 */
public final class InvalidFilterException extends RuntimeException {

    public static final String INVALID_WHERE = "Invalid where clause";
    public static final String INVALID_WHERE_DOCUMENT = "Invalid where document clause";
    /** Chroma's prefix for a bad regular expression; the triple "r" is in Chroma's message. */
    public static final String REGEX_SYNTAX_PREFIX = "Regex syntax errror: ";

    public InvalidFilterException(String message) {
        super(message);
    }

    static InvalidFilterException invalidWhere() {
        return new InvalidFilterException(INVALID_WHERE);
    }

    static InvalidFilterException invalidWhereDocument() {
        return new InvalidFilterException(INVALID_WHERE_DOCUMENT);
    }

    static InvalidFilterException regexSyntax(String detail) {
        return new InvalidFilterException(REGEX_SYNTAX_PREFIX + detail);
    }

    static InvalidFilterException indexingDisabled(String key, String valueType) {
        return new InvalidFilterException("Cannot filter using metadata key '" + key + "' with type '" + valueType
                + "' because indexing is disabled");
    }
}
