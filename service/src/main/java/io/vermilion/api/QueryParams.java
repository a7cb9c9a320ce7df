package io.vermilion.api;

import io.vermilion.error.ChromaException;

/** Parses optional query-string values (unsigned integers, empty values) with Chroma's error wording. */
final class QueryParams {

    private QueryParams() {}

    /** Null when absent; a 400 when not a u32. */
    static Integer u32(String name, String raw) {
        if (raw == null) {
            return null;
        }
        if (raw.isEmpty()) {
            throw bad(name + ": cannot parse integer from empty string");
        }
        try {
            long v = Long.parseLong(raw);
            if (v < 0 || v > 0xFFFF_FFFFL) {
                throw bad(name + ": number too large to fit in target type");
            }
            return (int) Math.min(v, Integer.MAX_VALUE);
        } catch (NumberFormatException e) {
            throw bad(name + ": invalid digit found in string");
        }
    }

    /**
     * Refuses a typed query parameter sent with an empty value, which the framework would pass on as absent; other
     * names are left to their handler.
     */
    static void rejectEmpty(String name) {
        switch (name) {
            case "limit", "offset" -> throw bad(name + ": cannot parse integer from empty string");
            case "read_level" -> throw bad(RecordResource.unknownReadLevel(""));
            default -> {
            }
        }
    }

    private static ChromaException bad(String detail) {
        return ChromaException.invalid("Failed to deserialize query string: " + detail);
    }
}
