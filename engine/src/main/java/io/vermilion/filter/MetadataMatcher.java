package io.vermilion.filter;

import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.util.List;
import java.util.Map;

/**
 * Chroma's (local, SQLite-backed) rules for testing one metadata value, in one place. Scalars and arrays live
 * apart: scalar operators never see array values and array membership never sees scalars. An int operand meets a
 * stored float as {@code (double) i}; a float operand meets a stored int as {@code (long) f} — a truncation, so
 * {@code {"$eq": 1.5}} matches int 1 and {@code {"$lt": 2.5}} does not match int 2, exactly as Chroma does.
 */
final class MetadataMatcher {

    /** Chroma keeps a record's document and uri as these metadata keys, so a where clause can name them. */
    static final String CHROMA_DOCUMENT_KEY = "chroma:document";
    static final String CHROMA_URI_KEY = "chroma:uri";

    private MetadataMatcher() {}

    /** The value a where clause sees for {@code key}, or null if the record lacks it. */
    static MetadataValue field(Record record, String key) {
        if (WhereParser.ID_KEY.equals(key)) {
            return new MetadataValue.Str(record.id());
        }
        if (CHROMA_DOCUMENT_KEY.equals(key)) {
            return record.document() == null ? null : new MetadataValue.Str(record.document());
        }
        if (CHROMA_URI_KEY.equals(key)) {
            return record.uri() == null ? null : new MetadataValue.Str(record.uri());
        }
        Map<String, MetadataValue> metadata = record.metadata();
        return metadata == null ? null : metadata.get(key);
    }

    /** Whether {@code stored op operand} holds; NE is the exact negation of EQ, so missing keys match it. */
    static boolean compare(MetadataValue stored, CompareOp op, MetadataValue operand) {
        if (op == CompareOp.NE) {
            return !compare(stored, CompareOp.EQ, operand);
        }
        return switch (operand) {
            case MetadataValue.Str s -> op == CompareOp.EQ
                    && stored instanceof MetadataValue.Str v && v.value().equals(s.value());
            case MetadataValue.Bool b -> op == CompareOp.EQ
                    && stored instanceof MetadataValue.Bool v && v.value() == b.value();
            case MetadataValue.Int i -> switch (stored) {
                case MetadataValue.Int v -> holds(Long.compare(v.value(), i.value()), op);
                case MetadataValue.Flt v -> holds(v.value(), (double) i.value(), op);
                case null, default -> false;
            };
            case MetadataValue.Flt f -> switch (stored) {
                case MetadataValue.Int v -> holds(Long.compare(v.value(), (long) f.value()), op);
                case MetadataValue.Flt v -> holds(v.value(), f.value(), op);
                case null, default -> false;
            };
            case MetadataValue.Array a -> throw new IllegalArgumentException("array operand");
            case MetadataValue.Sparse v -> throw new IllegalArgumentException("sparse vector operand");
        };
    }

    /** {@code $in}: the stored scalar equals one of {@code values} (all of one type, see {@link Where.In}). */
    static boolean in(MetadataValue stored, List<MetadataValue> values) {
        for (MetadataValue value : values) {
            if (compare(stored, CompareOp.EQ, value)) {
                return true;
            }
        }
        return false;
    }

    /** {@code $contains} on metadata: the stored value is an array holding an element of exactly this type. */
    static boolean arrayContains(MetadataValue stored, MetadataValue element) {
        if (!(stored instanceof MetadataValue.Array array)) {
            return false;
        }
        for (MetadataValue e : array.elements()) {
            boolean equal = switch (element) {
                case MetadataValue.Str s -> e instanceof MetadataValue.Str v && v.value().equals(s.value());
                case MetadataValue.Int i -> e instanceof MetadataValue.Int v && v.value() == i.value();
                case MetadataValue.Flt f -> e instanceof MetadataValue.Flt v && v.value() == f.value();
                case MetadataValue.Bool b -> e instanceof MetadataValue.Bool v && v.value() == b.value();
                case MetadataValue.Array a -> false;
                case MetadataValue.Sparse v -> false;
            };
            if (equal) {
                return true;
            }
        }
        return false;
    }

    private static boolean holds(int cmp, CompareOp op) {
        return switch (op) {
            case EQ -> cmp == 0;
            case GT -> cmp > 0;
            case GTE -> cmp >= 0;
            case LT -> cmp < 0;
            case LTE -> cmp <= 0;
            case NE -> cmp != 0;
        };
    }

    /** IEEE comparison, as SQLite compares REAL values: -0.0 equals 0.0, NaN compares false. */
    private static boolean holds(double stored, double operand, CompareOp op) {
        return switch (op) {
            case EQ -> stored == operand;
            case GT -> stored > operand;
            case GTE -> stored >= operand;
            case LT -> stored < operand;
            case LTE -> stored <= operand;
            case NE -> stored != operand;
        };
    }

    static boolean isScalar(MetadataValue value) {
        return value != null && !(value instanceof MetadataValue.Array) && !(value instanceof MetadataValue.Sparse);
    }

    static String typeName(MetadataValue value) {
        return switch (value) {
            case MetadataValue.Str s -> "Str";
            case MetadataValue.Int i -> "Int";
            case MetadataValue.Flt f -> "Float";
            case MetadataValue.Bool b -> "Bool";
            case MetadataValue.Array a -> "Array";
            case MetadataValue.Sparse v -> "SparseVector";
        };
    }
}
