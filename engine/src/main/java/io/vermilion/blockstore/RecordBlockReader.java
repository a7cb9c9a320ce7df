package io.vermilion.blockstore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

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

import io.vermilion.record.MetadataJson;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;

/**
 * Decodes a record block ({@link RecordBlockFormat}) after checking magic, version, length and CRC32C, then checks
 * what the writer promises (schema, record count, ids distinct and sorted, sequences non-negative, metadata valid);
 * any failure is a {@link CorruptBlockException} naming the object key. Thread-safe; each call takes a child of the
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
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int magicLength = RecordBlockFormat.MAGIC.length;
        if (bytes.length >= magicLength
                && !Arrays.equals(bytes, 0, magicLength, RecordBlockFormat.MAGIC, 0, magicLength)) {
            throw new CorruptBlockException(key, "bad magic (not a record block)");
        }
        int minimum = RecordBlockFormat.HEADER_LENGTH + RecordBlockFormat.FOOTER_LENGTH;
        if (bytes.length < minimum) {
            throw new CorruptBlockException(key, "truncated: " + bytes.length + " bytes, a block has at least " + minimum);
        }
        int version = in.getInt(4);
        if (version != RecordBlockFormat.VERSION) {
            throw new CorruptBlockException(key, "unsupported format version " + version
                    + " (this build reads version " + RecordBlockFormat.VERSION + ")");
        }
        long arrowLength = in.getLong(bytes.length - RecordBlockFormat.FOOTER_LENGTH);
        if (arrowLength != bytes.length - minimum) {
            throw new CorruptBlockException(key, "truncated or padded: footer says " + arrowLength
                    + " Arrow bytes, the object has room for " + (bytes.length - minimum));
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int expected = in.getInt(bytes.length - 4);
        if ((int) crc.getValue() != expected) {
            throw new CorruptBlockException(key, "checksum mismatch: stored %08x, computed %08x"
                    .formatted(expected, (int) crc.getValue()));
        }
        int count = in.getInt(8);
        if (count < 1) {
            throw new CorruptBlockException(key, "record count " + count + ", a block holds at least one record");
        }
        return decodeArrow(bytes, (int) arrowLength, count, key);
    }

    private RecordBlock decodeArrow(byte[] bytes, int length, int count, String key) {
        Record[] records = new Record[count];
        long[] sequences = new long[count];
        int rows = 0;
        try (BufferAllocator child = allocator.newChildAllocator("record-block-reader", 0, Long.MAX_VALUE);
             ArrowStreamReader reader = new ArrowStreamReader(
                     new ByteArrayInputStream(bytes, RecordBlockFormat.HEADER_LENGTH, length), child)) {
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
