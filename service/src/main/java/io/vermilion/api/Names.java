package io.vermilion.api;

import io.vermilion.error.ChromaException;
import java.util.regex.Pattern;

/**
 * Chroma's naming rules for databases and collections (3–512 characters from [a-zA-Z0-9._-], alphanumeric at
 * both ends, no "..", not an IPv4 address, at most one '+' separating a topology prefix) and for tenants.
 */
public final class Names {

    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$");
    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

    /** The longest tenant name, in characters: 4 bytes each still fits a PostgreSQL index entry. */
    static final int TENANT_MAX = 512;

    private Names() {}

    /** Returns null when valid, else Chroma's message for the name. */
    public static String problem(String name) {
        int plus = name.indexOf('+');
        if (plus >= 0) {
            if (name.indexOf('+', plus + 1) >= 0) {
                return charsetMessage(name);
            }
            String topology = name.substring(0, plus);
            String rest = name.substring(plus + 1);
            String p = problem(topology);
            return p != null ? p : problem(rest);
        }
        if (!NAME.matcher(name).matches()) {
            return charsetMessage(name);
        }
        if (name.contains("..")) {
            return "Expected a name that does not contains two consecutive periods (..). Got " + name;
        }
        var ip = IPV4.matcher(name);
        if (ip.matches()) {
            boolean valid = true;
            for (int i = 1; i <= 4; i++) {
                valid &= Integer.parseInt(ip.group(i)) <= 255;
            }
            if (valid) {
                return "Expected a name that is not a valid ip address. Got " + name;
            }
        }
        return null;
    }

    private static String charsetMessage(String name) {
        return "Expected a name containing 3-512 characters from [a-zA-Z0-9._-], starting and ending with a "
                + "character in [a-zA-Z0-9]. Got: " + name;
    }

    /** Validates a collection name as create and rename do (400 prefixed "Validation error: name: "). */
    public static void requireCollectionName(String field, String name) {
        String p = problem(name);
        if (p != null) {
            throw ChromaException.validation(field, p);
        }
    }

    /** Validates a database name on create (400 with the bare message). */
    public static void requireDatabaseName(String name) {
        String p = problem(name);
        if (p != null) {
            throw ChromaException.invalid(p);
        }
    }

    /** The check Chroma runs on every route with a database in its path. */
    public static void requireDatabasePathSegment(String database) {
        if (database.length() < 3) {
            throw ChromaException.invalid("database name must be at least 3 characters");
        }
    }

    /**
     * Chroma's tenant rule, at least 3 characters and nothing else (spaces, punctuation and "../x" are names like
     * any other; tenant names never reach a file or object path). Vermilion adds a maximum of
     * {@value #TENANT_MAX} characters so that any name fits a catalog index entry.
     */
    public static void requireTenantName(String name) {
        requireTenantName("name", name);
    }

    /** As {@link #requireTenantName(String)}, naming the request field that holds the tenant. */
    public static void requireTenantName(String field, String name) {
        int length = name.codePointCount(0, name.length());
        if (length < 3) {
            throw ChromaException.validation(
                    field, "Validation error: length [{\"min\": Number(3), \"value\": String(\"" + name + "\")}]");
        }
        if (length > TENANT_MAX) {
            throw ChromaException.validation(field, "Validation error: length [{\"max\": Number(" + TENANT_MAX
                    + "), \"value\": String(\"" + name + "\")}]");
        }
    }
}
