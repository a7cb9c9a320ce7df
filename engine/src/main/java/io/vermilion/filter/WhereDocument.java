package io.vermilion.filter;

import io.vermilion.record.Record;
import java.util.List;
import java.util.Objects;

/**
 * A parsed {@code where_document} clause: an immutable tree that tests a record's document with Chroma's
 * semantics. {@code $contains} is a case-sensitive substring test; positive forms never match a record without a
 * document, negative forms always do. Thread-safe.
 */
public sealed interface WhereDocument {

    /** Tests a document, which may be null (the record has none). */
    boolean matchesDocument(String document);

    default boolean matches(Record record) {
        return matchesDocument(record.document());
    }

    /** {@code {"$and": [...]}}; no children matches every record. */
    record And(List<WhereDocument> children) implements WhereDocument {
        public And {
            children = List.copyOf(children);
        }

        @Override
        public boolean matchesDocument(String document) {
            for (WhereDocument child : children) {
                if (!child.matchesDocument(document)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** {@code {"$or": [...]}}; no children matches no record. */
    record Or(List<WhereDocument> children) implements WhereDocument {
        public Or {
            children = List.copyOf(children);
        }

        @Override
        public boolean matchesDocument(String document) {
            for (WhereDocument child : children) {
                if (child.matchesDocument(document)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code {"$contains": text}}; {@code ""} matches every document. */
    record Contains(String text) implements WhereDocument {
        public Contains {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public boolean matchesDocument(String document) {
            return document != null && document.contains(text);
        }
    }

    /** {@code {"$not_contains": text}}. */
    record NotContains(String text) implements WhereDocument {
        public NotContains {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public boolean matchesDocument(String document) {
            return document == null || !document.contains(text);
        }
    }

    /** {@code {"$regex": pattern}}, unanchored. */
    record Regex(DocumentPattern pattern) implements WhereDocument {
        public Regex {
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public boolean matchesDocument(String document) {
            return document != null && pattern.find(document);
        }
    }

    /** {@code {"$not_regex": pattern}}. */
    record NotRegex(DocumentPattern pattern) implements WhereDocument {
        public NotRegex {
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public boolean matchesDocument(String document) {
            return document == null || !pattern.find(document);
        }
    }
}
