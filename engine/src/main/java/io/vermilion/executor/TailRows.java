package io.vermilion.executor;

import java.util.Arrays;

import io.vermilion.record.Record;

/**
 * The log tail's records as append-only rows: every record value the tail holds is one row, its embedding copied
 * into one contiguous float array with {@code 1 / (|v| + 1e-30)} beside it (the cosine kernel's factor), so a query
 * scans memory in order instead of following records. An update or delete kills the record's row (an update appends
 * a new one); nothing in a row changes after it is written except its death mark. A {@link Frozen} sees the rows and
 * deaths up to the moment it was taken, however the rows grow later. One writer; frozen views are read by any thread.
 */
final class TailRows {

    /**
     * Dimension from which every embedding also gets an int8 code (per row: {@code round(x / scale)}, scale = max |x|
     * / 127), which a search reads first, a quarter of the bytes, before re-scoring its best candidates exactly.
     */
    static final int CODED_MIN_DIMENSION = 32;

    private static final int ALIVE = Integer.MAX_VALUE;
    private static final long MAX_FLOATS = Integer.MAX_VALUE - 16;

    private Record[] records = new Record[16];
    private long[] sequences = new long[16];
    private int[] diedAt = new int[16];
    private float[] inverseNorms = new float[16];
    private float[] vectors = new float[0];
    private byte[] codes = new byte[0];
    private float[] codeScales = new float[16];
    private int dimension = -1;
    private boolean uniform = true;
    private int size;
    private int live;
    private int clock;
    private final float[] lanes = new float[VectorKernels.LANES];

    /** Appends {@code record}, live, with its insertion sequence; returns its row. */
    int append(Record record, long sequence) {
        if (size == records.length) {
            grow(size * 2);
        }
        int row = size;
        records[row] = record;
        sequences[row] = sequence;
        diedAt[row] = ALIVE;
        float[] embedding = record.embedding();
        if (embedding != null && uniform) {
            if (dimension < 0) {
                dimension = embedding.length;
                vectors = new float[dimension * records.length];
                codes = dimension >= CODED_MIN_DIMENSION ? new byte[dimension * records.length] : codes;
            }
            if (embedding.length == dimension) {
                System.arraycopy(embedding, 0, vectors, row * dimension, dimension);
                float sum = VectorKernels.sumOfSquares(embedding, 0, dimension, lanes);
                inverseNorms[row] = 1.0f / ((float) Math.sqrt(sum) + 1e-30f);
                if (codes.length > 0) {
                    encode(embedding, row);
                }
            } else {
                uniform = false; // such a tail is searched record by record
            }
        }
        size++;
        live++;
        return row;
    }

    private void encode(float[] embedding, int row) {
        float max = 0f;
        for (float x : embedding) {
            max = Math.max(max, Math.abs(x));
        }
        float scale = max > 0f && Float.isFinite(max) ? max / 127f : 0f;
        codeScales[row] = scale;
        int at = row * dimension;
        for (int i = 0; i < dimension; i++) {
            codes[at + i] = scale == 0f ? 0 : (byte) Math.round(embedding[i] / scale);
        }
    }

    /** Kills a live row: views taken from now on no longer see it. */
    void kill(int row) {
        if (diedAt[row] != ALIVE) {
            throw new IllegalStateException("row " + row + " is dead already");
        }
        if (clock == ALIVE - 1) {
            throw new IllegalStateException("a log tail cannot take more than " + (ALIVE - 1) + " updates and deletes");
        }
        diedAt[row] = ++clock;
        live--;
    }

    /** The rows as they are now, unaffected by later appends and kills. */
    Frozen freeze() {
        return new Frozen(records, sequences, diedAt, inverseNorms, vectors, uniform ? codes : new byte[0], codeScales,
                Math.max(dimension, 0), uniform, size, live, clock);
    }

    /**
     * Fresh arrays: views taken before keep the old ones, whose rows below their size never change again (a later
     * death is written only to the new {@code diedAt}, and a view would count it alive anyway).
     */
    private void grow(int capacity) {
        if (capacity < 0) {
            throw new IllegalStateException("a log tail cannot hold more than " + Integer.MAX_VALUE / 2 + " record values");
        }
        records = Arrays.copyOf(records, capacity);
        sequences = Arrays.copyOf(sequences, capacity);
        diedAt = Arrays.copyOf(diedAt, capacity);
        inverseNorms = Arrays.copyOf(inverseNorms, capacity);
        codeScales = Arrays.copyOf(codeScales, capacity);
        if (dimension > 0 && uniform) {
            if ((long) dimension * capacity > MAX_FLOATS) {
                uniform = false; // beyond one array: searched record by record from here on
                vectors = new float[0];
                codes = new byte[0];
            } else {
                vectors = Arrays.copyOf(vectors, dimension * capacity);
                codes = codes.length > 0 ? Arrays.copyOf(codes, dimension * capacity) : codes;
            }
        }
    }

    /**
     * Rows {@code 0 … size − 1} as of one moment: a row is live in it if it was not killed by then ({@code diedAt >
     * clock}; the writer may mark later deaths in the same array concurrently, with values above {@code clock}, so
     * a racy read still answers the same). Immutable as far as its readers can tell; thread-safe.
     */
    static final class Frozen {
        private final Record[] records;
        private final long[] sequences;
        private final int[] diedAt;
        private final float[] inverseNorms;
        private final float[] vectors;
        private final byte[] codes;
        private final float[] codeScales;
        private final int dimension;
        private final boolean uniform;
        private final int size;
        private final int live;
        private final int clock;

        private Frozen(Record[] records, long[] sequences, int[] diedAt, float[] inverseNorms, float[] vectors,
                       byte[] codes, float[] codeScales, int dimension, boolean uniform, int size, int live, int clock) {
            this.records = records;
            this.sequences = sequences;
            this.diedAt = diedAt;
            this.inverseNorms = inverseNorms;
            this.vectors = vectors;
            this.codes = codes;
            this.codeScales = codeScales;
            this.dimension = dimension;
            this.uniform = uniform;
            this.size = size;
            this.live = live;
            this.clock = clock;
        }

        /** Rows ever appended up to this view (live or not). */
        int rows() {
            return size;
        }

        /** Live records. */
        int live() {
            return live;
        }

        boolean isLive(int row) {
            return diedAt[row] > clock;
        }

        Record record(int row) {
            return records[row];
        }

        long sequence(int row) {
            return sequences[row];
        }

        /** Whether every embedded row's vector is in {@link #vectors()} (all embeddings have one dimension). */
        boolean uniform() {
            return uniform;
        }

        /** The embeddings' dimension (0 before the first embedding). */
        int dimension() {
            return dimension;
        }

        /** Row {@code r}'s embedding at {@code r · dimension}; read only, never written through. */
        float[] vectors() {
            return vectors;
        }

        float inverseNorm(int row) {
            return inverseNorms[row];
        }

        /** Whether every embedded row also has an int8 code in {@link #codes()} (uniform, dimension ≥ 32). */
        boolean coded() {
            return codes.length > 0;
        }

        /** Row {@code r}'s int8 code at {@code r · dimension}: {@code embedding ≈ code · codeScale(r)}; read only. */
        byte[] codes() {
            return codes;
        }

        float codeScale(int row) {
            return codeScales[row];
        }

        /**
         * Whether row {@code r} has an embedding. In a {@link #uniform()} view without touching the record: an embedded
         * row's inverse norm is positive (1e30 for a zero vector), a row without one keeps the 0 its slot started with
         * (slots are never reused).
         */
        boolean embedded(int row) {
            return uniform ? inverseNorms[row] != 0f : records[row].embedding() != null;
        }
    }
}
