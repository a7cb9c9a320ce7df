package io.vermilion.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.vermilion.storage.CorruptObjectException;

class FramingTest {

    private static final String KEY = "c0ffee/things/0001.bin";

    /** The format's own corrupt-object type, as a real format passes {@code CorruptFragmentException::new}. */
    static final class CorruptThingException extends CorruptObjectException {
        CorruptThingException(String key, String detail) {
            super("thing", key, detail, null);
        }
    }

    private static final Framing FRAMING =
            new Framing("THNG", new FormatVersions("thing", 2, 3), Short.BYTES, CorruptThingException::new);

    private static byte[] frame() {
        return FRAMING.write(header -> header.putShort((short) 0x1234), "payload".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void writtenFrameHoldsMagicCurrentVersionHeaderPayloadLengthAndChecksum() {
        byte[] bytes = frame();
        ByteBuffer in = ByteBuffer.wrap(bytes);

        assertEquals(8 + 2 + 7 + 12, bytes.length);
        assertEquals("THNG", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(3, in.getInt(4));
        assertEquals(0x1234, in.getShort(8));
        assertEquals("payload", new String(bytes, 10, 7, StandardCharsets.UTF_8));
        assertEquals(7, in.getLong(17));
        assertEquals(Framing.crc32c(bytes, 0, 25), in.getInt(25));
    }

    @Test
    void readGivesVersionHeaderAndPayloadBack() {
        byte[] bytes = frame();

        Framing.Frame frame = FRAMING.read(bytes, KEY);

        assertEquals(3, frame.version());
        assertEquals(2, frame.header().remaining());
        assertEquals(0x1234, frame.header().getShort(0));
        assertEquals("payload", new String(bytes, frame.payloadOffset(), frame.payloadLength(), StandardCharsets.UTF_8));
    }

    @Test
    void olderVersionInsideTheRangeStillReads() {
        byte[] bytes = frame();
        ByteBuffer.wrap(bytes).putInt(4, 2);

        assertEquals(2, FRAMING.read(Framing.rechecksum(bytes), KEY).version());
    }

    @Test
    void versionPastTheNewestIsTooNew() {
        byte[] bytes = frame();
        ByteBuffer.wrap(bytes).putInt(4, 4);

        FormatTooNewException e = assertThrows(FormatTooNewException.class,
                () -> FRAMING.read(Framing.rechecksum(bytes), KEY));

        assertEquals("thing '" + KEY + "' is in format version 4, written by a newer Vermilion: this build reads"
                + " versions 2 to 3", e.getMessage());
        assertEquals(4, e.version());
        assertEquals(KEY, e.key());
        assertEquals(new FormatVersions("thing", 2, 3), e.supported());
    }

    @Test
    void versionBeforeTheOldestIsTooOld() {
        byte[] bytes = frame();
        ByteBuffer.wrap(bytes).putInt(4, 1);

        FormatTooOldException e = assertThrows(FormatTooOldException.class,
                () -> FRAMING.read(Framing.rechecksum(bytes), KEY));

        assertEquals("thing '" + KEY + "' is in format version 1, no longer supported: this build reads versions"
                + " 2 to 3", e.getMessage());
    }

    @Test
    void anyFlippedBitIsCorruptNeverAnUnsupportedVersion() {
        byte[] original = frame();
        for (int i = 0; i < original.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bytes = original.clone();
                bytes[i] ^= (byte) (1 << bit);
                assertThrows(CorruptThingException.class, () -> FRAMING.read(bytes, KEY), "byte " + i + " bit " + bit);
            }
        }
    }

    @Test
    void corruptMessagesNameWhatFailed() {
        byte[] badMagic = frame();
        badMagic[0] = 'X';
        assertEquals("corrupt thing '" + KEY + "': bad magic (not a thing)",
                assertThrows(CorruptThingException.class, () -> FRAMING.read(badMagic, KEY)).getMessage());

        byte[] flipped = frame();
        flipped[12] ^= 1;
        assertEquals("corrupt thing '" + KEY + "': checksum mismatch: stored %08x, computed %08x".formatted(
                        ByteBuffer.wrap(flipped).getInt(25), Framing.crc32c(flipped, 0, 25)),
                assertThrows(CorruptThingException.class, () -> FRAMING.read(flipped, KEY)).getMessage());

        byte[] truncated = Arrays.copyOf(frame(), 21);
        assertEquals("corrupt thing '" + KEY + "': truncated: 21 bytes, a thing has at least 22",
                assertThrows(CorruptThingException.class, () -> FRAMING.read(truncated, KEY)).getMessage());

        byte[] wrongLength = frame();
        ByteBuffer.wrap(wrongLength).putLong(17, 6);
        assertEquals("corrupt thing '" + KEY + "': truncated or padded: footer says 6 payload bytes, the object has"
                        + " room for 7",
                assertThrows(CorruptThingException.class, () -> FRAMING.read(wrongLength, KEY)).getMessage());
    }

    @Test
    void emptyPayloadAndEmptyHeaderFrame() {
        Framing bare = new Framing("BARE", new FormatVersions("bare", 1, 1), 0, CorruptThingException::new);

        byte[] bytes = bare.write(header -> { }, new byte[0]);
        Framing.Frame frame = bare.read(bytes, KEY);

        assertEquals(20, bytes.length);
        assertEquals(0, frame.header().remaining());
        assertEquals(0, frame.payloadLength());
        assertArrayEquals(new byte[] {'B', 'A', 'R', 'E', 0, 0, 0, 1}, Arrays.copyOf(bytes, 8));
    }

    @Test
    void headerFieldsOfTheWrongLengthAreRefusedWhenWriting() {
        assertThrows(IllegalStateException.class, () -> FRAMING.write(header -> header.putInt(1), new byte[0]));
    }

    @Test
    void versionRangeMustStartAtOneOrLaterAndNotEndBeforeItStarts() {
        assertThrows(IllegalArgumentException.class, () -> new FormatVersions("x", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new FormatVersions("x", 3, 2));
    }
}
