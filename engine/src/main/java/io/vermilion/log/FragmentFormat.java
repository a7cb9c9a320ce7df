package io.vermilion.log;

import java.util.List;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import io.vermilion.format.FormatVersions;
import io.vermilion.format.Framing;
import io.vermilion.record.Operation;

/**
 * The byte layout of a log fragment: one immutable object holding a batch of log records, written once by
 * {@link FragmentWriter} and read by {@link FragmentReader}, framed by {@link Framing} with an 8-byte header field.
 * All integers are big-endian.
 *
 * <pre>
 * offset   size  field
 * 0        4     magic "VLOG" (0x56 0x4C 0x4F 0x47)
 * 4        4     format version, int32 = {@value #VERSION}
 * 8        8     first log offset, int64: record i of the fragment has log offset (first + i)
 * 16       n     Arrow IPC stream: schema message, record batch(es), end-of-stream marker
 * 16+n     8     n, int64
 * 24+n     4     CRC32C of bytes [0, 24+n), int32
 * </pre>
 *
 * Arrow columns, one row per record, in log order:
 * <ul>
 *   <li>{@code operation} int8, not null: ADD=0, UPSERT=1, UPDATE=2, DELETE=3 (fixed codes, not enum ordinals)</li>
 *   <li>{@code id} utf8, not null</li>
 *   <li>{@code embedding} nullable list&lt;float32&gt;; the length may differ between rows and fragments</li>
 *   <li>{@code metadata} nullable utf8: {@link io.vermilion.record.MetadataJson} (JSON null values delete keys)</li>
 *   <li>{@code document}, {@code uri} nullable utf8</li>
 * </ul>
 * A null column value means "not given" (for updates: leave unchanged). A fragment holds at least one record.
 */
public final class FragmentFormat {

    static final int VERSION = 1;
    /** The versions this build reads: every one so far. */
    static final FormatVersions VERSIONS = new FormatVersions("log fragment", 1, VERSION);
    /** The frame: magic "VLOG", then the first log offset as the one header field. */
    static final Framing FRAMING = new Framing("VLOG", VERSIONS, Long.BYTES, CorruptFragmentException::new);

    static final String OPERATION = "operation";
    static final String ID = "id";
    static final String EMBEDDING = "embedding";
    static final String METADATA = "metadata";
    static final String DOCUMENT = "document";
    static final String URI = "uri";

    static final Schema SCHEMA = new Schema(List.of(
            new Field(OPERATION, FieldType.notNullable(new ArrowType.Int(8, true)), null),
            new Field(ID, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
            new Field(EMBEDDING, FieldType.nullable(ArrowType.List.INSTANCE), List.of(
                    new Field("item", FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                            null))),
            new Field(METADATA, FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
            new Field(DOCUMENT, FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
            new Field(URI, FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));

    private FragmentFormat() {}

    static byte code(Operation operation) {
        return switch (operation) {
            case ADD -> 0;
            case UPSERT -> 1;
            case UPDATE -> 2;
            case DELETE -> 3;
        };
    }

    /** The operation for {@code code}, or null if the code is unknown. */
    static Operation operation(byte code) {
        return switch (code) {
            case 0 -> Operation.ADD;
            case 1 -> Operation.UPSERT;
            case 2 -> Operation.UPDATE;
            case 3 -> Operation.DELETE;
            default -> null;
        };
    }
}
