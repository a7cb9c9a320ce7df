package io.vermilion.blockstore;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

import io.vermilion.record.MetadataJson;
import io.vermilion.record.Record;

/**
 * One record as a block row: its strings already UTF-8 (metadata as JSON), so a block's size can be bounded before
 * it is encoded and nothing is encoded twice. Holds the record's arrays without copying.
 */
record EncodedRow(String idString, byte[] id, long sequence, float[] embedding, byte[] metadata, byte[] document,
        byte[] uri) {

    /** Rejects what a block could not hold exactly: null metadata values, non-finite floats, unpaired surrogates. */
    static EncodedRow of(SequencedRecord entry) {
        Record record = entry.record();
        String id = record.id();
        if (record.metadata() != null && record.metadata().values().stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("record '" + id + "': stored metadata cannot hold null values");
        }
        CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new EncodedRow(id, utf8(utf8, id, id, "id"), entry.sequence(), record.embedding(),
                record.metadata() == null ? null : utf8(utf8, id, MetadataJson.encode(record.metadata()), "metadata"),
                utf8(utf8, id, record.document(), "document"), utf8(utf8, id, record.uri(), "uri"));
    }

    /** Compares ids in {@link RecordBlockFormat#ID_ORDER}: unsigned UTF-8 bytes. */
    int compareId(EncodedRow other) {
        return Arrays.compareUnsigned(id, other.id);
    }

    private static byte[] utf8(CharsetEncoder encoder, String id, String value, String field) {
        if (value == null) {
            return null;
        }
        try {
            ByteBuffer encoded = encoder.encode(CharBuffer.wrap(value));
            return Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("record '" + id + "': " + field
                    + " is not valid Unicode (unpaired surrogate)", e);
        }
    }
}
