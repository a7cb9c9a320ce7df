package io.vermilion.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.BufferedChecksumIndexInput;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersIndexInput;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;

import io.vermilion.storage.CorruptObjectException;

/**
 * What opening a version's Lucene reader reads, in one object: every file of the commit up to {@link #WHOLE_BELOW}
 * bytes whole, and the first and last {@link #GRANULE_BYTES}-aligned granule (header and footer) of each larger one.
 * The compactor writes it beside the index as {@link #NAME}, listed in the manifest as an index file, so a lazy open
 * reads one object instead of one or two ranged reads per file; Lucene ignores the file, and a version without one is
 * opened file by file. Format: a Lucene header, the granule size, the ranges (file name, file length, offset,
 * length, bytes), a Lucene footer. Immutable.
 */
public final class OpenPack {

    /** The pack's file name in a version's index. */
    public static final String NAME = "open-pack.vop";
    /** Ranges start and end on multiples of this (bar a file's end): pages of up to this size are covered whole. */
    static final int GRANULE_BYTES = 16 << 10;
    /** Files smaller than this are packed whole. */
    static final long WHOLE_BELOW = 4L * GRANULE_BYTES;
    static final String CODEC = "VermilionOpenPack";
    private static final int VERSION = 0;

    /** Bytes {@code [offset, offset + bytes.length)} of the file {@code name}, which is {@code fileLength} long. */
    record Range(String name, long fileLength, long offset, byte[] bytes) {

        long end() {
            return offset + bytes.length;
        }
    }

    private final List<Range> ranges;

    private OpenPack(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    List<Range> ranges() {
        return ranges;
    }

    /** Whether {@code fileName} names a pack (Lucene's own file deleter leaves such names alone). */
    public static boolean isPack(String fileName) {
        return NAME.equals(fileName);
    }

    /**
     * Writes the pack of {@code directory}'s latest commit as {@link #NAME}, replacing one left there by the version
     * the directory was copied from, and returns its name.
     */
    public static String write(Directory directory) throws IOException {
        List<String> files = new ArrayList<>(SegmentInfos.readLatestCommit(directory).files(true));
        files.sort(null);
        if (Arrays.asList(directory.listAll()).contains(NAME)) {
            directory.deleteFile(NAME);
        }
        try (IndexOutput out = directory.createOutput(NAME, IOContext.DEFAULT)) {
            CodecUtil.writeHeader(out, CODEC, VERSION);
            out.writeVInt(GRANULE_BYTES);
            List<long[]> ranges = new ArrayList<>(); // [file index, offset, length]
            for (int i = 0; i < files.size(); i++) {
                long length = directory.fileLength(files.get(i));
                if (length < WHOLE_BELOW) {
                    ranges.add(new long[] {i, 0, length});
                } else {
                    long tail = (length - 1) / GRANULE_BYTES * GRANULE_BYTES;
                    ranges.add(new long[] {i, 0, GRANULE_BYTES});
                    ranges.add(new long[] {i, tail, length - tail});
                }
            }
            out.writeVInt(ranges.size());
            byte[] buffer = new byte[GRANULE_BYTES];
            for (long[] range : ranges) {
                String name = files.get((int) range[0]);
                out.writeString(name);
                out.writeVLong(directory.fileLength(name));
                out.writeVLong(range[1]);
                out.writeVLong(range[2]);
                try (IndexInput in = directory.openInput(name, IOContext.READONCE)) {
                    in.seek(range[1]);
                    for (long left = range[2]; left > 0; ) {
                        int n = (int) Math.min(buffer.length, left);
                        in.readBytes(buffer, 0, n);
                        out.writeBytes(buffer, 0, n);
                        left -= n;
                    }
                }
            }
            CodecUtil.writeFooter(out);
        }
        directory.sync(List.of(NAME));
        return NAME;
    }

    /** Reads a pack from its bytes; throws {@link CorruptObjectException} naming {@code key} if they are not one. */
    static OpenPack read(byte[] bytes, String key) {
        try (ChecksumIndexInput in = new BufferedChecksumIndexInput(new ByteBuffersIndexInput(
                new ByteBuffersDataInput(List.of(ByteBuffer.wrap(bytes))), key))) {
            CodecUtil.checkHeader(in, CODEC, VERSION, VERSION);
            in.readVInt(); // the granule the writer used: ranges say their own bounds
            int count = in.readVInt();
            if (count < 0) {
                throw new IOException("negative range count " + count);
            }
            List<Range> ranges = new ArrayList<>(Math.min(count, 1 << 16));
            for (int i = 0; i < count; i++) {
                String name = in.readString();
                long fileLength = in.readVLong();
                long offset = in.readVLong();
                long length = in.readVLong();
                if (offset < 0 || length < 0 || offset + length > fileLength
                        || length > in.length() - in.getFilePointer()) {
                    throw new IOException("range " + offset + "+" + length + " of " + name + " (" + fileLength
                            + " bytes) does not fit");
                }
                byte[] range = new byte[(int) length];
                in.readBytes(range, 0, range.length);
                ranges.add(new Range(name, fileLength, offset, range));
            }
            CodecUtil.checkFooter(in);
            return new OpenPack(ranges);
        } catch (IOException | RuntimeException e) {
            throw new CorruptObjectException("open pack", key, String.valueOf(e.getMessage()), e);
        }
    }
}
