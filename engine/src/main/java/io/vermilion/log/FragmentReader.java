package io.vermilion.log;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

import io.vermilion.catalog.FragmentRef;
import io.vermilion.format.Framing;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataJson;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;

/**
 * Decodes a log fragment ({@link FragmentFormat}) after its {@link io.vermilion.format.Framing} checked magic, length,
 * CRC32C and version; damaged bytes are a {@link CorruptFragmentException} naming the object key, a fragment in a
 * version this build does not read a {@link io.vermilion.format.UnsupportedFormatVersionException}. Thread-safe; each call takes a child of the given allocator
 * and frees it before returning.
 */
public final class FragmentReader {

    private final BufferAllocator allocator;

    /** @param allocator the parent allocator; it stays the caller's */
    public FragmentReader(BufferAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * Decodes a fragment the catalog recorded as {@code fragment}, and checks that it holds exactly the offsets the
     * catalog recorded for it; a {@link CorruptFragmentException} names the key otherwise.
     */
    public LogFragment read(byte[] bytes, FragmentRef fragment) {
        LogFragment decoded = read(bytes, fragment.key());
        if (decoded.firstOffset() != fragment.startOffset() || decoded.records().size() != fragment.recordCount()) {
            throw new CorruptFragmentException(fragment.key(), "holds offsets [" + decoded.firstOffset() + ", "
                    + (decoded.firstOffset() + decoded.records().size()) + ") but the catalog recorded ["
                    + fragment.startOffset() + ", " + fragment.endOffset() + ")");
        }
        return decoded;
    }

    /** @param key the object key the bytes were read from, for error messages */
    public LogFragment read(byte[] bytes, String key) {
        Framing.Frame frame = FragmentFormat.FRAMING.read(bytes, key);
        return new LogFragment(frame.header().getLong(0), decodeArrow(bytes, frame, key));
    }

    private List<LogRecord> decodeArrow(byte[] bytes, Framing.Frame frame, String key) {
        List<LogRecord> records = new ArrayList<>();
        try (BufferAllocator child = allocator.newChildAllocator("fragment-reader", 0, Long.MAX_VALUE);
             ArrowStreamReader reader = new ArrowStreamReader(
                     new ByteArrayInputStream(bytes, frame.payloadOffset(), frame.payloadLength()), child)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            if (!root.getSchema().equals(FragmentFormat.SCHEMA)) {
                throw new CorruptFragmentException(key, "unexpected Arrow schema " + root.getSchema());
            }
            TinyIntVector operation = (TinyIntVector) root.getVector(FragmentFormat.OPERATION);
            VarCharVector id = (VarCharVector) root.getVector(FragmentFormat.ID);
            ListVector embedding = (ListVector) root.getVector(FragmentFormat.EMBEDDING);
            VarCharVector metadata = (VarCharVector) root.getVector(FragmentFormat.METADATA);
            VarCharVector document = (VarCharVector) root.getVector(FragmentFormat.DOCUMENT);
            VarCharVector uri = (VarCharVector) root.getVector(FragmentFormat.URI);
            while (reader.loadNextBatch()) {
                Float4Vector floats = (Float4Vector) embedding.getDataVector();
                for (int row = 0; row < root.getRowCount(); row++) {
                    Operation op = operation.isNull(row) ? null : FragmentFormat.operation(operation.get(row));
                    if (op == null || id.isNull(row)) {
                        throw new CorruptFragmentException(key, "record " + records.size() + " lacks a valid operation or id");
                    }
                    records.add(new LogRecord(op, string(id, row), floats(embedding, floats, row),
                            metadata(metadata, row, key), string(document, row), string(uri, row)));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptFragmentException corrupt) {
                throw corrupt;
            }
            throw new CorruptFragmentException(key, "undecodable Arrow data: " + e.getMessage(), e);
        }
        if (records.isEmpty()) {
            throw new CorruptFragmentException(key, "no records");
        }
        return records;
    }

    private static float[] floats(ListVector list, Float4Vector floats, int row) {
        if (list.isNull(row)) {
            return null;
        }
        int start = list.getElementStartIndex(row);
        float[] vector = new float[list.getElementEndIndex(row) - start];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = floats.get(start + i);
        }
        return vector;
    }

    private static Map<String, MetadataValue> metadata(VarCharVector vector, int row, String key) {
        String json = string(vector, row);
        if (json == null) {
            return null;
        }
        try {
            return MetadataJson.decode(json);
        } catch (IllegalArgumentException e) {
            throw new CorruptFragmentException(key, "bad metadata in record " + row + ": " + e.getMessage(), e);
        }
    }

    private static String string(VarCharVector vector, int row) {
        return vector.isNull(row) ? null : new String(vector.get(row), StandardCharsets.UTF_8);
    }
}
