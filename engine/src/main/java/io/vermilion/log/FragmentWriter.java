package io.vermilion.log;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataJson;

/**
 * Encodes a batch of log records as one fragment ({@link FragmentFormat}). Thread-safe; each call takes a child of the
 * given allocator and frees it before returning. Rejects what could not be read back exactly: an empty batch, a
 * missing operation or id, non-finite metadata floats, strings with unpaired surrogates.
 */
public final class FragmentWriter {

    private final BufferAllocator allocator;

    /** @param allocator the parent allocator; it stays the caller's */
    public FragmentWriter(BufferAllocator allocator) {
        this.allocator = allocator;
    }

    public byte[] write(List<LogRecord> records, long firstOffset) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a log fragment holds at least one record");
        }
        if (firstOffset < 0) {
            throw new IllegalArgumentException("negative first offset: " + firstOffset);
        }
        return FragmentFormat.FRAMING.write(header -> header.putLong(firstOffset), encodeArrow(records));
    }

    private byte[] encodeArrow(List<LogRecord> records) {
        try (BufferAllocator child = allocator.newChildAllocator("fragment-writer", 0, Long.MAX_VALUE);
             VectorSchemaRoot root = VectorSchemaRoot.create(FragmentFormat.SCHEMA, child)) {
            root.allocateNew();
            TinyIntVector operation = (TinyIntVector) root.getVector(FragmentFormat.OPERATION);
            VarCharVector id = (VarCharVector) root.getVector(FragmentFormat.ID);
            ListVector embedding = (ListVector) root.getVector(FragmentFormat.EMBEDDING);
            Float4Vector floats = (Float4Vector) embedding.getDataVector();
            VarCharVector metadata = (VarCharVector) root.getVector(FragmentFormat.METADATA);
            VarCharVector document = (VarCharVector) root.getVector(FragmentFormat.DOCUMENT);
            VarCharVector uri = (VarCharVector) root.getVector(FragmentFormat.URI);
            CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);

            for (int row = 0; row < records.size(); row++) {
                LogRecord record = records.get(row);
                if (record.operation() == null || record.id() == null) {
                    throw new IllegalArgumentException("log record " + row + " lacks an operation or id");
                }
                operation.setSafe(row, FragmentFormat.code(record.operation()));
                setString(id, row, record.id(), utf8);
                if (record.embedding() == null) {
                    embedding.setNull(row);
                } else {
                    int start = embedding.startNewValue(row);
                    float[] vector = record.embedding();
                    for (int i = 0; i < vector.length; i++) {
                        floats.setSafe(start + i, vector[i]);
                    }
                    embedding.endValue(row, vector.length);
                }
                setString(metadata, row, record.metadata() == null ? null : MetadataJson.encode(record.metadata()), utf8);
                setString(document, row, record.document(), utf8);
                setString(uri, row, record.uri(), utf8);
            }
            root.setRowCount(records.size());

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

    private static void setString(VarCharVector strings, int row, String value, CharsetEncoder utf8) {
        if (value == null) {
            strings.setNull(row);
            return;
        }
        try {
            ByteBuffer encoded = utf8.encode(CharBuffer.wrap(value));
            strings.setSafe(row, encoded, encoded.position(), encoded.remaining());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("string is not valid Unicode (unpaired surrogate) in " + strings.getName(), e);
        }
    }
}
