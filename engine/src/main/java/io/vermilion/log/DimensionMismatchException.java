package io.vermilion.log;

/**
 * A write carries embeddings of another dimension than the collection's (fixed by its first embedding). The message
 * is Chroma's, word for word.
 */
public final class DimensionMismatchException extends RuntimeException {

    private final int expected;
    private final int got;

    public DimensionMismatchException(int expected, int got) {
        super("Collection expecting embedding with dimension of " + expected + ", got " + got);
        this.expected = expected;
        this.got = got;
    }

    public int expected() {
        return expected;
    }

    public int got() {
        return got;
    }
}
