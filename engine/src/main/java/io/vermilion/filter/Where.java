package io.vermilion.filter;

import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.util.List;
import java.util.Objects;

/**
 * A parsed {@code where} clause: an immutable tree that tests one record with Chroma's semantics (see
 * {@link WhereParser} for the grammar). Negative operators ({@code $ne}, {@code $nin}, {@code $not_contains})
 * are exact negations of their positive forms, so they also match records that lack the key. Thread-safe.
 */
public sealed interface Where {

    boolean matches(Record record);

    /** {@code {"$and": [...]}}; no children matches every record. */
    record And(List<Where> children) implements Where {
        public And {
            children = List.copyOf(children);
        }

        @Override
        public boolean matches(Record record) {
            for (Where child : children) {
                if (!child.matches(record)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** {@code {"$or": [...]}}; no children matches no record. */
    record Or(List<Where> children) implements Where {
        public Or {
            children = List.copyOf(children);
        }

        @Override
        public boolean matches(Record record) {
            for (Where child : children) {
                if (child.matches(record)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code {key: {op: value}}} or the implicit {@code {key: value}}; {@code value} is a scalar. */
    record Compare(String key, CompareOp op, MetadataValue value) implements Where {
        public Compare {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(op, "op");
            if (!MetadataMatcher.isScalar(value)) {
                throw new IllegalArgumentException("a comparison needs a scalar value");
            }
            if (op.isRange() && !(value instanceof MetadataValue.Int || value instanceof MetadataValue.Flt)) {
                throw new IllegalArgumentException(op.operator() + " needs an int or float value");
            }
        }

        @Override
        public boolean matches(Record record) {
            return MetadataMatcher.compare(MetadataMatcher.field(record, key), op, value);
        }
    }

    /** {@code {key: {"$in": [...]}}}: a non-empty list of scalars of one type. */
    record In(String key, List<MetadataValue> values) implements Where {
        public In {
            Objects.requireNonNull(key, "key");
            values = requireHomogeneous(values);
        }

        @Override
        public boolean matches(Record record) {
            return MetadataMatcher.in(MetadataMatcher.field(record, key), values);
        }
    }

    /** {@code {key: {"$nin": [...]}}}: the negation of {@link In}. */
    record NotIn(String key, List<MetadataValue> values) implements Where {
        public NotIn {
            Objects.requireNonNull(key, "key");
            values = requireHomogeneous(values);
        }

        @Override
        public boolean matches(Record record) {
            return !MetadataMatcher.in(MetadataMatcher.field(record, key), values);
        }
    }

    /** {@code {key: {"$contains": scalar}}}: the key holds an array with this element (same type). */
    record ArrayContains(String key, MetadataValue value) implements Where {
        public ArrayContains {
            Objects.requireNonNull(key, "key");
            if (!MetadataMatcher.isScalar(value)) {
                throw new IllegalArgumentException("$contains needs a scalar value");
            }
        }

        @Override
        public boolean matches(Record record) {
            return MetadataMatcher.arrayContains(MetadataMatcher.field(record, key), value);
        }
    }

    /** {@code {key: {"$not_contains": scalar}}}: the negation of {@link ArrayContains}. */
    record ArrayNotContains(String key, MetadataValue value) implements Where {
        public ArrayNotContains {
            Objects.requireNonNull(key, "key");
            if (!MetadataMatcher.isScalar(value)) {
                throw new IllegalArgumentException("$not_contains needs a scalar value");
            }
        }

        @Override
        public boolean matches(Record record) {
            return !MetadataMatcher.arrayContains(MetadataMatcher.field(record, key), value);
        }
    }

    /** {@code {"#document": {"$contains" | "$not_contains" | "$regex" | "$not_regex": text}}}. */
    record Document(WhereDocument filter) implements Where {
        public Document {
            Objects.requireNonNull(filter, "filter");
        }

        @Override
        public boolean matches(Record record) {
            return filter.matches(record);
        }
    }

    private static List<MetadataValue> requireHomogeneous(List<MetadataValue> values) {
        List<MetadataValue> copy = List.copyOf(values);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a set needs at least one value");
        }
        Class<?> type = copy.get(0).getClass();
        for (MetadataValue value : copy) {
            if (!MetadataMatcher.isScalar(value) || value.getClass() != type) {
                throw new IllegalArgumentException("a set needs scalars of one type: " + copy);
            }
        }
        return copy;
    }
}
