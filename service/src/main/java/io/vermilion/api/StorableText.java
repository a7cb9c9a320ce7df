package io.vermilion.api;

import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Refuses text and numbers that storage cannot keep: the NUL character (PostgreSQL rejects it), unpaired UTF-16
 * surrogates (not Unicode; Chroma's JSON parser refuses them) and JSON numbers beyond the double range. A request
 * passing these checks never fails in the catalog or the log for its characters; one failing them is a 400.
 */
public final class StorableText {

    private StorableText() {}

    /** Refuses a path or query parameter that cannot be stored, naming the parameter. */
    public static void requireParameter(String name, String value) {
        if (value.indexOf('\0') >= 0) {
            throw nul(name);
        }
        if (hasLoneSurrogate(value)) {
            throw ChromaException.validation(name, "must be valid Unicode (it holds an unpaired surrogate)");
        }
    }

    /** Checks every string (keys included) and every number of a parsed request body. */
    static void requireStorable(JsonNode node) {
        check(node, new StringBuilder());
    }

    private static void check(JsonNode node, StringBuilder path) {
        if (node.isTextual()) {
            requireText(node.textValue(), path);
        } else if (node.isFloatingPointNumber()) {
            if (!Double.isFinite(node.doubleValue())) {
                throw ChromaException.invalid("Failed to parse the request body as JSON: " + where(path) + "number out of range");
            }
        } else if (node.isArray()) {
            int len = path.length();
            for (int i = 0; i < node.size(); i++) {
                path.append('[').append(i).append(']');
                check(node.get(i), path);
                path.setLength(len);
            }
        } else if (node.isObject()) {
            int len = path.length();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                requireText(field.getKey(), path);
                if (len > 0) {
                    path.append('.');
                }
                path.append(field.getKey());
                check(field.getValue(), path);
                path.setLength(len);
            }
        }
    }

    private static void requireText(String s, StringBuilder path) {
        if (s.indexOf('\0') >= 0) {
            throw nul(path.isEmpty() ? "body" : path.toString());
        }
        if (hasLoneSurrogate(s)) {
            throw ChromaException.invalid("Failed to parse the request body as JSON: " + where(path) + "lone surrogate in string");
        }
    }

    private static String where(StringBuilder path) {
        return path.isEmpty() ? "" : path + ": ";
    }

    private static ChromaException nul(String field) {
        return ChromaException.validation(field, "must not contain the NUL character (U+0000)");
    }

    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
