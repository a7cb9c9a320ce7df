package io.vermilion.record;

import java.util.List;

/**
 * One metadata value as Chroma stores it: a string, a 64-bit integer, a 64-bit float, a boolean, or a
 * homogeneous array of one of those. Integers and floats stay distinct so that reads return what was written.
 */
public sealed interface MetadataValue {

    record Str(String value) implements MetadataValue {}

    record Int(long value) implements MetadataValue {}

    record Flt(double value) implements MetadataValue {}

    record Bool(boolean value) implements MetadataValue {}

    /** A non-empty array whose elements are all scalars of one type (never nested arrays). */
    record Array(List<MetadataValue> elements) implements MetadataValue {
        public Array {
            elements = List.copyOf(elements);
        }
    }
}
