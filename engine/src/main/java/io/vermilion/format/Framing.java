package io.vermilion.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import io.vermilion.storage.CorruptObjectException;

/**
 * The frame around every binary file the engine writes (log fragments, record blocks): one codec for magic, format
 * version, payload length and checksum, so each format only encodes its own header fields and payload. All integers
 * are big-endian.
 *
 * <pre>
 * offset     size  field
 * 0          4     magic (4 ASCII bytes naming the format)
 * 4          4     format version, int32, in {@link FormatVersions} [oldest, current]
 * 8          h     the format's fixed-length header fields (h = {@link #headerLength()}, may be 0)
 * 8+h        n     payload
 * 8+h+n      8     n, int64
 * 16+h+n     4     CRC32C of bytes [0, 16+h+n), int32
 * </pre>
 *
 * {@link #read} checks magic, length and checksum before the version, so damaged bytes are always a corrupt-object
 * error (the format's own exception type) and only an intact frame in another version is a
 * {@link FormatTooNewException} or {@link FormatTooOldException}. Immutable and thread-safe.
 */
public final class Framing {

    /** Bytes before the header fields: magic and version. */
    public static final int PREFIX_LENGTH = 8;
    /** Bytes after the payload: its length and the CRC32C. */
    public static final int FOOTER_LENGTH = 12;

    /** Makes the format's own corrupt-object exception (e.g. {@code CorruptFragmentException::new}). */
    @FunctionalInterface
    public interface Corruption {
        CorruptObjectException of(String key, String detail);
    }

    /**
     * One decoded frame: the format version it is in, its header fields (a read-only buffer of exactly
     * {@code headerLength} bytes, position 0) and where the payload lies in the framed bytes.
     */
    public record Frame(int version, ByteBuffer header, int payloadOffset, int payloadLength) {}

    private final byte[] magic;
    private final FormatVersions versions;
    private final int headerLength;
    private final Corruption corruption;

    /**
     * @param magic        4 ASCII characters
     * @param headerLength the number of fixed header bytes between the version and the payload
     * @param corruption   makes the exception for damaged bytes
     */
    public Framing(String magic, FormatVersions versions, int headerLength, Corruption corruption) {
        this.magic = magic.getBytes(StandardCharsets.US_ASCII);
        if (this.magic.length != 4) {
            throw new IllegalArgumentException("magic must be 4 ASCII characters: " + magic);
        }
        if (headerLength < 0) {
            throw new IllegalArgumentException("negative header length: " + headerLength);
        }
        this.versions = Objects.requireNonNull(versions, "versions");
        this.headerLength = headerLength;
        this.corruption = Objects.requireNonNull(corruption, "corruption");
    }

    public FormatVersions versions() {
        return versions;
    }

    public int headerLength() {
        return headerLength;
    }

    /** The smallest framed object: prefix, header fields and footer around an empty payload. */
    public int minimumLength() {
        return PREFIX_LENGTH + headerLength + FOOTER_LENGTH;
    }

    /**
     * Frames {@code payload} in the {@link FormatVersions#current() current} version; {@code header} puts exactly
     * {@link #headerLength()} bytes into the buffer it is given.
     */
    public byte[] write(Consumer<ByteBuffer> header, byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(minimumLength() + payload.length);
        out.put(magic).putInt(versions.current());
        header.accept(out);
        if (out.position() != PREFIX_LENGTH + headerLength) {
            throw new IllegalStateException("header fields took " + (out.position() - PREFIX_LENGTH)
                    + " bytes, the format has " + headerLength);
        }
        out.put(payload).putLong(payload.length);
        out.putInt(crc32c(out.array(), 0, out.position()));
        return out.array();
    }

    /**
     * Checks the frame of {@code bytes} and returns it. Throws the format's corrupt-object exception for a bad magic,
     * a length that disagrees with the footer or a checksum mismatch, then {@link FormatTooNewException} or
     * {@link FormatTooOldException} for an intact frame in a version this build does not read.
     *
     * @param key the object key the bytes were read from, for messages
     */
    public Frame read(byte[] bytes, String key) {
        if (bytes.length >= magic.length && !Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
            throw corruption.of(key, "bad magic (not a " + versions.format() + ")");
        }
        int minimum = minimumLength();
        if (bytes.length < minimum) {
            throw corruption.of(key, "truncated: " + bytes.length + " bytes, a " + versions.format()
                    + " has at least " + minimum);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long payloadLength = in.getLong(bytes.length - FOOTER_LENGTH);
        if (payloadLength != bytes.length - minimum) {
            throw corruption.of(key, "truncated or padded: footer says " + payloadLength
                    + " payload bytes, the object has room for " + (bytes.length - minimum));
        }
        int stored = in.getInt(bytes.length - 4);
        int computed = crc32c(bytes, 0, bytes.length - 4);
        if (stored != computed) {
            throw corruption.of(key, "checksum mismatch: stored %08x, computed %08x".formatted(stored, computed));
        }
        int version = versions.check(in.getInt(magic.length), key);
        ByteBuffer header = ByteBuffer.wrap(bytes, PREFIX_LENGTH, headerLength).slice().asReadOnlyBuffer();
        return new Frame(version, header, PREFIX_LENGTH + headerLength, (int) payloadLength);
    }

    /**
     * Recomputes the checksum of framed {@code bytes} in place after a change to them, and returns them: for tools
     * and tests that build frames by hand (e.g. a frame in another version).
     */
    public static byte[] rechecksum(byte[] bytes) {
        ByteBuffer.wrap(bytes).putInt(bytes.length - 4, crc32c(bytes, 0, bytes.length - 4));
        return bytes;
    }

    /** The CRC32C of {@code length} bytes from {@code offset}, as an int. */
    public static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
