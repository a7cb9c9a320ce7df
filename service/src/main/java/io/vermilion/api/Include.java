package io.vermilion.api;

import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The record fields a get or query returns, parsed from {@code include} with Chroma's defaults and errors. */
enum Include {
    DISTANCES("distances"),
    DOCUMENTS("documents"),
    EMBEDDINGS("embeddings"),
    METADATAS("metadatas"),
    URIS("uris");

    private final String wire;

    Include(String wire) {
        this.wire = wire;
    }

    static final List<String> GET_DEFAULT = List.of("documents", "metadatas");
    static final List<String> QUERY_DEFAULT = List.of("documents", "metadatas", "distances");

    /** The names as sent (echoed back in the response), validated. */
    static List<String> names(ObjectNode body, List<String> defaults) {
        JsonNode v = body.get("include");
        if (v == null) {
            return defaults;
        }
        if (!v.isArray()) {
            throw ChromaException.shape("include", "invalid type: " + JsonBody.describe(v) + ", expected a sequence");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            String path = "include[" + i + "]";
            if (!e.isTextual()) {
                throw ChromaException.shape(path, "invalid type: " + JsonBody.describe(e) + ", expected a string");
            }
            if (parse(e.textValue()) == null) {
                throw ChromaException.shape(path, "unknown variant `" + e.textValue()
                        + "`, expected one of `distances`, `documents`, `embeddings`, `metadatas`, `uris`");
            }
            out.add(e.textValue());
        }
        return out;
    }

    static Set<Include> of(List<String> names) {
        Set<Include> set = EnumSet.noneOf(Include.class);
        names.forEach(n -> set.add(parse(n)));
        return set;
    }

    private static Include parse(String wire) {
        for (Include i : values()) {
            if (i.wire.equals(wire)) {
                return i;
            }
        }
        return null;
    }
}
