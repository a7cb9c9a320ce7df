package io.vermilion.blockstore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.BaseListVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * Encodes records sorted by id as one record block ({@link RecordBlockFormat}). The same records always give the
 * same bytes. Thread-safe; each call takes a child of the given allocator and frees it before returning. Rejects
 * what could not be read back exactly: no records, ids out of {@link RecordBlockFormat#ID_ORDER} or repeated, null
 * metadata values, non-finite metadata floats, strings with unpaired surrogates.
 */
public final class RecordBlockWriter {

    private final BufferAllocator allocator;

    /** @param allocator the parent allocator; it stays the caller's */
    public RecordBlockWriter(BufferAllocator allocator) {
        this.allocator = allocator;
    }

    /** @param records sorted by id in {@link RecordBlockFormat#ID_ORDER}, ids distinct */
    public byte[] write(List<SequencedRecord> records) {
        List<EncodedRow> rows = new ArrayList<>(records.size());
        for (SequencedRecord record : records) {
            rows.add(EncodedRow.of(record));
        }
        return writeRows(rows);
    }

    byte[] writeRows(List<EncodedRow> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("a record block holds at least one record");
        }
        for (int i = 1; i < rows.size(); i++) {
            if (rows.get(i - 1).compareId(rows.get(i)) >= 0) {
                throw new IllegalArgumentException("record ids must be distinct and sorted in UTF-8 byte order: '"
                        + rows.get(i - 1).idString() + "' comes before '" + rows.get(i).idString() + "'");
            }
        }
        return RecordBlockFormat.FRAMING.write(header -> header.putInt(rows.size()),
                encodeArrow(rows, uniformDimension(rows)));
    }

    /** The one length of every non-null embedding if it is at least 1, else null (variable-length layout). */
    private static Integer uniformDimension(List<EncodedRow> rows) {
        int dimension = -1;
        for (EncodedRow row : rows) {
            if (row.embedding() != null) {
                if (dimension == -1) {
                    dimension = row.embedding().length;
                } else if (dimension != row.embedding().length) {
                    return null;
                }
            }
        }
        return dimension >= 1 ? dimension : null;
    }

    private byte[] encodeArrow(List<EncodedRow> rows, Integer dimension) {
        try (BufferAllocator child = allocator.newChildAllocator("record-block-writer", 0, Long.MAX_VALUE);
             VectorSchemaRoot root = VectorSchemaRoot.create(RecordBlockFormat.schema(dimension), child)) {
            root.allocateNew();
            VarCharVector id = (VarCharVector) root.getVector(RecordBlockFormat.ID);
            BigIntVector sequence = (BigIntVector) root.getVector(RecordBlockFormat.SEQUENCE);
            BaseListVector embedding = (BaseListVector) root.getVector(RecordBlockFormat.EMBEDDING);
            VarCharVector metadata = (VarCharVector) root.getVector(RecordBlockFormat.METADATA);
            VarCharVector document = (VarCharVector) root.getVector(RecordBlockFormat.DOCUMENT);
            VarCharVector uri = (VarCharVector) root.getVector(RecordBlockFormat.URI);

            for (int row = 0; row < rows.size(); row++) {
                EncodedRow record = rows.get(row);
                id.setSafe(row, record.id());
                sequence.setSafe(row, record.sequence());
                if (dimension == null) {
                    setVariable((ListVector) embedding, row, record.embedding());
                } else {
                    setFixed((FixedSizeListVector) embedding, row, record.embedding(), dimension);
                }
                setBytes(metadata, row, record.metadata());
                setBytes(document, row, record.document());
                setBytes(uri, row, record.uri());
            }
            root.setRowCount(rows.size());

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(bytes))) {
                writer.start();
                writer.writeBatch();
                writer.end();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writes to memory only
        }
    }

    private static void setVariable(ListVector list, int row, float[] vector) {
        if (vector == null) {
            list.setNull(row);
            return;
        }
        Float4Vector floats = (Float4Vector) list.getDataVector();
        int start = list.startNewValue(row);
        for (int i = 0; i < vector.length; i++) {
            floats.setSafe(start + i, vector[i]);
        }
        list.endValue(row, vector.length);
    }

    private static void setFixed(FixedSizeListVector list, int row, float[] vector, int dimension) {
        Float4Vector floats = (Float4Vector) list.getDataVector();
        int start = row * dimension;
        if (vector == null) {
            list.setNull(row);
            for (int i = 0; i < dimension; i++) {
                floats.setSafe(start + i, 0f); // defined bytes behind a null row
            }
            return;
        }
        list.startNewValue(row);
        for (int i = 0; i < dimension; i++) {
            floats.setSafe(start + i, vector[i]);
        }
    }

    private static void setBytes(VarCharVector strings, int row, byte[] utf8) {
        if (utf8 == null) {
            strings.setNull(row);
        } else {
            strings.setSafe(row, utf8);
        }
    }
}
