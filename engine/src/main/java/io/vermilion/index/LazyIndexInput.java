package io.vermilion.index;

import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.RandomAccessInput;

/**
 * An {@link IndexInput} (and {@link RandomAccessInput}) over a range of one paged file: it keeps the page it last read,
 * so sequential reads cost an array access, and asks {@link PagedIndexFiles.PagedFile} for the next page when it
 * leaves it. Like every Lucene input, one instance is used by one thread; clones and slices share only pages.
 */
final class LazyIndexInput extends IndexInput implements RandomAccessInput {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final PagedIndexFiles.PagedFile file;
    private final long base;
    private final long length;
    private final int pageShift;
    private long pos;
    private byte[] page = new byte[0];
    private long pageStart = -1; // file offset of page[0]

    LazyIndexInput(String description, PagedIndexFiles.PagedFile file, long base, long length, int pageBytes) {
        super(description);
        this.file = file;
        this.base = base;
        this.length = length;
        this.pageShift = Integer.numberOfTrailingZeros(pageBytes);
    }

    /** Makes the page holding file offset {@code at} current and returns the index of {@code at} in it. */
    private int seat(long at) throws IOException {
        long rel = at - pageStart;
        if (pageStart < 0 || rel < 0 || rel >= page.length) {
            long number = at >>> pageShift;
            page = file.page(number);
            pageStart = number << pageShift;
            rel = at - pageStart;
        }
        return (int) rel;
    }

    private void checkRead(long at, long n) throws EOFException {
        if (at < 0 || at + n > length) {
            throw new EOFException("read past EOF: " + this + " at " + at + " +" + n + " of " + length);
        }
    }

    @Override
    public byte readByte() throws IOException {
        byte b = readByte(pos);
        pos++;
        return b;
    }

    @Override
    public void readBytes(byte[] bytes, int offset, int len) throws IOException {
        readBytes(pos, bytes, offset, len);
        pos += len;
    }

    @Override
    public short readShort() throws IOException {
        short v = readShort(pos);
        pos += Short.BYTES;
        return v;
    }

    @Override
    public int readInt() throws IOException {
        int v = readInt(pos);
        pos += Integer.BYTES;
        return v;
    }

    @Override
    public long readLong() throws IOException {
        long v = readLong(pos);
        pos += Long.BYTES;
        return v;
    }

    @Override
    public void readFloats(float[] floats, int offset, int len) throws IOException {
        byte[] scratch = new byte[len * Float.BYTES];
        readBytes(scratch, 0, scratch.length);
        java.nio.ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(floats, offset, len);
    }

    @Override
    public void readInts(int[] ints, int offset, int len) throws IOException {
        byte[] scratch = new byte[len * Integer.BYTES];
        readBytes(scratch, 0, scratch.length);
        java.nio.ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(ints, offset, len);
    }

    @Override
    public void readLongs(long[] longs, int offset, int len) throws IOException {
        byte[] scratch = new byte[len * Long.BYTES];
        readBytes(scratch, 0, scratch.length);
        java.nio.ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(longs, offset, len);
    }

    @Override
    public byte readByte(long at) throws IOException {
        checkRead(at, 1);
        int i = seat(base + at); // before reading the field: seat may replace the page
        return page[i];
    }

    @Override
    public void readBytes(long at, byte[] bytes, int offset, int len) throws IOException {
        checkRead(at, len);
        long abs = base + at;
        while (len > 0) {
            int i = seat(abs);
            int n = Math.min(len, page.length - i);
            System.arraycopy(page, i, bytes, offset, n);
            offset += n;
            len -= n;
            abs += n;
        }
    }

    @Override
    public short readShort(long at) throws IOException {
        checkRead(at, Short.BYTES);
        int i = seat(base + at);
        if (i + Short.BYTES <= page.length) {
            return (short) SHORT.get(page, i);
        }
        byte[] b = new byte[Short.BYTES];
        readBytes(at, b, 0, b.length);
        return (short) SHORT.get(b, 0);
    }

    @Override
    public int readInt(long at) throws IOException {
        checkRead(at, Integer.BYTES);
        int i = seat(base + at);
        if (i + Integer.BYTES <= page.length) {
            return (int) INT.get(page, i);
        }
        byte[] b = new byte[Integer.BYTES];
        readBytes(at, b, 0, b.length);
        return (int) INT.get(b, 0);
    }

    @Override
    public long readLong(long at) throws IOException {
        checkRead(at, Long.BYTES);
        int i = seat(base + at);
        if (i + Long.BYTES <= page.length) {
            return (long) LONG.get(page, i);
        }
        byte[] b = new byte[Long.BYTES];
        readBytes(at, b, 0, b.length);
        return (long) LONG.get(b, 0);
    }

    /**
     * Starts fetching the pages of {@code [offset, offset + length)} that are not here yet and returns at once, so
     * reads of many scattered ranges (a query's candidate vectors) wait for one round trip rather than one each.
     */
    @Override
    public void prefetch(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > this.length) {
            throw new EOFException("prefetch past EOF: " + this + " at " + offset + " +" + length + " of " + this.length);
        }
        file.prefetch(base + offset, length);
    }

    @Override
    public long getFilePointer() {
        return pos;
    }

    @Override
    public void seek(long to) throws IOException {
        if (to < 0 || to > length) {
            throw new EOFException("seek past EOF: " + this + " to " + to + " of " + length);
        }
        pos = to;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public IndexInput slice(String sliceDescription, long offset, long sliceLength) throws IOException {
        if (offset < 0 || sliceLength < 0 || offset + sliceLength > length) {
            throw new IllegalArgumentException("slice " + sliceDescription + " out of bounds: offset=" + offset
                    + " length=" + sliceLength + " of " + this);
        }
        LazyIndexInput slice = new LazyIndexInput(getFullSliceDescription(sliceDescription), file, base + offset,
                sliceLength, 1 << pageShift);
        slice.page = page;
        slice.pageStart = pageStart;
        return slice;
    }

    @Override
    public LazyIndexInput clone() {
        return (LazyIndexInput) super.clone(); // shares the current (immutable) page
    }

    @Override
    public void close() {
        // pages belong to the version's PagedIndexFiles
    }
}
