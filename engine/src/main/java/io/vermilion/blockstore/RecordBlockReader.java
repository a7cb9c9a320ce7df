package io.vermilion.blockstore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;

import io.vermilion.format.Framing;
import io.vermilion.record.MetadataJson;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;

/**
 * Decodes a record block ({@link RecordBlockFormat}) after its {@link Framing} checked magic, length, CRC32C and
 * version, then checks what the writer promises (schema, record count, ids distinct and sorted, sequences
 * non-negative, metadata valid); damaged bytes are a {@link CorruptBlockException} naming the object key, a block in
 * a version this build does not read a {@link io.vermilion.format.UnsupportedFormatVersionException}. Thread-safe; each call takes a child of the
 * given allocator and frees it before returning.
 */
public final class RecordBlockReader {

    private final BufferAllocator allocator;

    /** @param allocator the parent allocator; it stays the caller's */
    public RecordBlockReader(BufferAllocator allocator) {
        this.allocator = allocator;
    }

    /** @param key the object key the bytes were read from, for error messages and {@link RecordBlock#key()} */
    public RecordBlock read(byte[] bytes, String key) {
        Framing.Frame frame = RecordBlockFormat.FRAMING.read(bytes, key);
        int count = frame.header().getInt(0);
        if (count < 1) {
            throw new CorruptBlockException(key, "record count " + count + ", a block holds at least one record");
        }
        return decodeArrow(bytes, frame, count, key);
    }

    private RecordBlock decodeArrow(byte[] bytes, Framing.Frame frame, int count, String key) {
        Record[] records = new Record[count];
        long[] sequences = new long[count];
        int rows = 0;
        try (BufferAllocator child = allocator.newChildAllocator("record-block-reader", 0, Long.MAX_VALUE);
             ArrowStreamReader reader = new ArrowStreamReader(
                     new ByteArrayInputStream(bytes, frame.payloadOffset(), frame.payloadLength()), child)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            Integer dimension = checkSchema(root.getSchema(), key);
            VarCharVector id = (VarCharVector) root.getVector(RecordBlockFormat.ID);
            BigIntVector sequence = (BigIntVector) root.getVector(RecordBlockFormat.SEQUENCE);
            VarCharVector metadata = (VarCharVector) root.getVector(RecordBlockFormat.METADATA);
            VarCharVector document = (VarCharVector) root.getVector(RecordBlockFormat.DOCUMENT);
            VarCharVector uri = (VarCharVector) root.getVector(RecordBlockFormat.URI);
            byte[] previousId = null;
            while (reader.loadNextBatch()) {
                if (rows + root.getRowCount() > count) {
                    throw new CorruptBlockException(key, "more rows than the header's record count " + count);
                }
                for (int row = 0; row < root.getRowCount(); row++, rows++) {
                    if (id.isNull(row) || sequence.isNull(row)) {
                        throw new CorruptBlockException(key, "record " + rows + " lacks an id or sequence");
                    }
                    byte[] idBytes = id.get(row);
                    if (previousId != null && Arrays.compareUnsigned(previousId, idBytes) >= 0) {
                        throw new CorruptBlockException(key, "record " + rows + ": ids not distinct and sorted");
                    }
                    previousId = idBytes;
                    sequences[rows] = sequence.get(row);
                    if (sequences[rows] < 0) {
                        throw new CorruptBlockException(key, "record " + rows + ": negative sequence " + sequences[rows]);
                    }
                    float[] embedding = dimension == null
                            ? variable((ListVector) root.getVector(RecordBlockFormat.EMBEDDING), row)
                            : fixed((FixedSizeListVector) root.getVector(RecordBlockFormat.EMBEDDING), row, dimension);
                    records[rows] = new Record(new String(idBytes, StandardCharsets.UTF_8), embedding,
                            metadata(metadata, row, rows, key), string(document, row), string(uri, row));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptBlockException corrupt) {
                throw corrupt;
            }
            throw new CorruptBlockException(key, "undecodable Arrow data: " + e.getMessage(), e);
        }
        if (rows != count) {
            throw new CorruptBlockException(key, "header says " + count + " records, the Arrow data holds " + rows);
        }
        return new RecordBlock(key, records, sequences, bytes.length);
    }

    /** The fixed embedding dimension the schema declares, or null for variable-length embeddings. */
    private static Integer checkSchema(Schema schema, String key) {
        Integer dimension = null;
        if (schema.getFields().size() > 2
                && schema.getFields().get(2).getType() instanceof ArrowType.FixedSizeList fixed
                && fixed.getListSize() >= 1) {
            dimension = fixed.getListSize();
        }
        if (!schema.equals(RecordBlockFormat.schema(dimension))) {
            throw new CorruptBlockException(key, "unexpected Arrow schema " + schema);
        }
        return dimension;
    }

    private static float[] variable(ListVector list, int row) {
        if (list.isNull(row)) {
            return null;
        }
        Float4Vector floats = (Float4Vector) list.getDataVector();
        int start = list.getElementStartIndex(row);
        float[] vector = new float[list.getElementEndIndex(row) - start];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = floats.get(start + i);
        }
        return vector;
    }

    private static float[] fixed(FixedSizeListVector list, int row, int dimension) {
        if (list.isNull(row)) {
            return null;
        }
        Float4Vector floats = (Float4Vector) list.getDataVector();
        int start = row * dimension;
        float[] vector = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            vector[i] = floats.get(start + i);
        }
        return vector;
    }

    private static Map<String, MetadataValue> metadata(VarCharVector vector, int row, int record, String key) {
        String json = string(vector, row);
        if (json == null) {
            return null;
        }
        Map<String, MetadataValue> metadata;
        try {
            metadata = MetadataJson.decode(json);
        } catch (IllegalArgumentException e) {
            throw new CorruptBlockException(key, "bad metadata in record " + record + ": " + e.getMessage(), e);
        }
        if (metadata.values().stream().anyMatch(Objects::isNull)) {
            throw new CorruptBlockException(key, "bad metadata in record " + record + ": null value");
        }
        return metadata;
    }

    private static String string(VarCharVector vector, int row) {
        return vector.isNull(row) ? null : new String(vector.get(row), StandardCharsets.UTF_8);
    }
}
