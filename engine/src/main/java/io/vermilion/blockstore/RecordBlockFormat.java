package io.vermilion.blockstore;

import java.util.Comparator;
import java.util.List;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import io.vermilion.format.FormatVersions;
import io.vermilion.format.Framing;
import io.vermilion.storage.ObjectKeys;

/**
 * The byte layout of a record block: an immutable object holding a run of a version's records sorted by id, written
 * once by {@link RecordBlockWriter} and read by {@link RecordBlockReader}, framed by {@link Framing} with a 4-byte
 * header field. All integers are big-endian.
 *
 * <pre>
 * offset   size  field
 * 0        4     magic "VBLK" (0x56 0x42 0x4C 0x4B)
 * 4        4     format version, int32 = {@value #VERSION}
 * 8        4     record count, int32 &gt;= 1; equals the Arrow row count
 * 12       n     Arrow IPC stream: schema message, one record batch, end-of-stream marker
 * 12+n     8     n, int64
 * 20+n     4     CRC32C of bytes [0, 20+n), int32
 * </pre>
 *
 * Arrow columns, one row per record, sorted by id in {@link #ID_ORDER} with no duplicates:
 * <ul>
 *   <li>{@code id} utf8, not null</li>
 *   <li>{@code sequence} int64, not null: the insertion sequence number ({@link SequencedRecord})</li>
 *   <li>{@code embedding} nullable: {@code fixed_size_list<float32>[d]} when every non-null embedding in the block
 *       has the same length {@code d >= 1}, else {@code list<float32>} (mixed lengths, only empty
 *       vectors, or no embeddings at all). A null fixed-size row has {@code d} zero floats behind it.</li>
 *   <li>{@code metadata} nullable utf8: {@link io.vermilion.record.MetadataJson}, never holding null values</li>
 *   <li>{@code document}, {@code uri} nullable utf8</li>
 * </ul>
 * A null column value means the record has no such field.
 */
public final class RecordBlockFormat {

    /**
     * The order of ids in a block and across a version's blocks: UTF-8 byte order (= code point order), which is
     * also how object stores and Chroma's Rust blockstore order strings. Differs from {@link String#compareTo} for
     * characters past U+FFFF.
     */
    public static final Comparator<String> ID_ORDER = ObjectKeys.UTF8_ORDER;

    static final int VERSION = 1;
    /** The versions this build reads: every one so far. */
    static final FormatVersions VERSIONS = new FormatVersions("record block", 1, VERSION);
    /** The frame: magic "VBLK", then the record count as the one header field. */
    static final Framing FRAMING = new Framing("VBLK", VERSIONS, Integer.BYTES, CorruptBlockException::new);

    static final String ID = "id";
    static final String SEQUENCE = "sequence";
    static final String EMBEDDING = "embedding";
    static final String METADATA = "metadata";
    static final String DOCUMENT = "document";
    static final String URI = "uri";

    /**
     * An upper bound on everything in a block's bytes that does not grow with its rows: header and footer, the
     * Arrow schema and batch metadata, end-of-stream marker, and per-buffer padding and rounding. Checked against
     * real blocks by the tests; {@link BlockSizeBound} adds what the rows take.
     */
    static final long FIXED_OVERHEAD = 2048;

    private static final Field FLOAT_ITEM =
            new Field("item", FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), null);

    private RecordBlockFormat() {}

    /** The schema of a block whose embeddings are all of length {@code dimension}, or mixed if it is null. */
    static Schema schema(Integer dimension) {
        ArrowType embeddingType = dimension == null ? ArrowType.List.INSTANCE : new ArrowType.FixedSizeList(dimension);
        return new Schema(List.of(
                new Field(ID, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
                new Field(SEQUENCE, FieldType.notNullable(new ArrowType.Int(64, true)), null),
                new Field(EMBEDDING, FieldType.nullable(embeddingType), List.of(FLOAT_ITEM)),
                new Field(METADATA, FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
                new Field(DOCUMENT, FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
                new Field(URI, FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));
    }

}
