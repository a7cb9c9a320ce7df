package io.vermilion.executor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.vermilion.filter.Where;
import io.vermilion.filter.WhereDocument;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.SequencedHit;
import io.vermilion.record.Record;

/**
 * Nearest-neighbour search over a frozen log tail: one pass over its contiguous vectors per query vector with
 * {@link VectorKernels} (over the rows' int8 codes first, then exactly over a shortlist, when the tail is large: see
 * {@link #TWO_PASS_MIN_ROWS}), the best {@code n} kept in a bounded max-heap, ties broken by insertion sequence (Chroma's
 * order, as {@link ExactCollectionReader} breaks them by position). Distances follow {@link DistanceFunction}'s
 * definitions with the kernels' summation order, so they may differ from it in the last bits for 16 dimensions and
 * more. A tail whose embeddings differ in dimension, or a query of another dimension, is searched record by record
 * with {@link DistanceFunction} itself (which refuses mismatched dimensions as before). Stateless, thread-safe.
 */
final class TailSearch {

    /**
     * From this many candidate rows (with int8 codes, see {@link TailRows#CODED_MIN_DIMENSION}) a search first ranks
     * them all by their codes, a quarter of the bytes of their vectors, then re-scores exactly the best
     * {@code k + max(k, SHORTLIST_EXTRA)}; the code's error (about 1e-3 of a distance at 384 dimensions) is far below
     * the gap between the k-th and the shortlist's last distance, so the answer is the exact scan's in practice.
     */
    static final int TWO_PASS_MIN_ROWS = 2048;
    static final int SHORTLIST_EXTRA = 32;

    private TailSearch() {
    }

    /**
     * The hits of each query vector, best first.
     *
     * @param byId the tail's records in insertion order with each position's row, to resolve an id filter
     */
    static List<List<SequencedHit>> query(TailRows.Frozen rows, QueryRequest request, IdIndex byId) {
        List<List<SequencedHit>> results = new ArrayList<>(request.queries().size());
        boolean nothing = request.nResults() == 0 || (request.ids() != null && request.ids().isEmpty());
        int[] matches = nothing ? new int[0] : matches(rows, request, byId);
        for (float[] query : request.queries()) {
            results.add(nearest(rows, query, matches, request.nResults(), request.distance()));
        }
        return results;
    }

    /** The tail's ids resolved to rows: {@code snapshot} in insertion order, {@code rows[position]} its row. */
    record IdIndex(CollectionSnapshot snapshot, int[] rows) {
    }

    /**
     * Rows of live records with an embedding that pass the request's filters, or null when the request has no filter
     * (then every such row is a candidate, and listing 30k rows per query would only make garbage).
     */
    private static int[] matches(TailRows.Frozen rows, QueryRequest request, IdIndex byId) {
        Where where = request.where();
        WhereDocument whereDocument = request.whereDocument();
        if (request.ids() == null && where == null && whereDocument == null) {
            return null;
        }
        int[] out;
        int n = 0;
        if (request.ids() != null) {
            out = new int[request.ids().size()];
            for (String id : request.ids()) {
                int position = byId.snapshot().positionOf(id);
                if (position >= 0) {
                    out[n++] = byId.rows()[position];
                }
            }
            int[] distinct = Arrays.stream(out, 0, n).sorted().distinct().toArray();
            out = distinct;
            n = 0;
            for (int row : distinct) {
                if (passes(rows.record(row), where, whereDocument)) {
                    out[n++] = row;
                }
            }
        } else {
            out = new int[rows.live()];
            for (int row = 0; row < rows.rows(); row++) {
                if (rows.isLive(row) && passes(rows.record(row), where, whereDocument)) {
                    out[n++] = row;
                }
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static boolean passes(Record record, Where where, WhereDocument whereDocument) {
        return record.embedding() != null
                && (where == null || where.matches(record)) && (whereDocument == null || whereDocument.matches(record));
    }

    private static List<SequencedHit> nearest(TailRows.Frozen rows, float[] query, int[] matches, int nResults,
                                              DistanceFunction distance) {
        int candidates = matches == null ? rows.live() : matches.length;
        int k = Math.min(nResults, candidates);
        if (k == 0) {
            return List.of();
        }
        float[] prepared = distance.prepareQuery(query);
        Heap heap = new Heap(k);
        int slots = matches == null ? rows.rows() : matches.length;
        if (rows.uniform() && query.length == rows.dimension()) {
            float[] vectors = rows.vectors();
            int dim = rows.dimension();
            float[] lanes = new float[VectorKernels.LANES];
            int shortlist = k + Math.max(k, SHORTLIST_EXTRA);
            if (rows.coded() && candidates >= TWO_PASS_MIN_ROWS && shortlist < candidates) {
                Heap first = new Heap(shortlist);
                float squaredNorm = VectorKernels.sumOfSquares(prepared, 0, dim, lanes);
                for (int i = 0; i < slots; i++) {
                    int row = candidate(rows, matches, i);
                    if (row >= 0) {
                        first.offer(approximate(distance, prepared, squaredNorm, row, dim, rows, lanes), row, rows);
                    }
                }
                for (int row : first.rows()) {
                    heap.offer(distance(distance, prepared, vectors, row, dim, rows, lanes), row, rows);
                }
            } else {
                for (int i = 0; i < slots; i++) {
                    int row = candidate(rows, matches, i);
                    if (row >= 0) {
                        heap.offer(distance(distance, prepared, vectors, row, dim, rows, lanes), row, rows);
                    }
                }
            }
        } else {
            for (int i = 0; i < slots; i++) {
                int row = candidate(rows, matches, i);
                if (row >= 0) {
                    heap.offer(distance.distancePrepared(prepared, rows.record(row).embedding()), row, rows);
                }
            }
        }
        return heap.sorted(rows);
    }

    /**
     * The {@code i}-th candidate row: {@code matches[i]}, or, without a filter ({@code matches} null), row {@code i}
     * if it is live and has an embedding; -1 if it is not a candidate.
     */
    private static int candidate(TailRows.Frozen rows, int[] matches, int i) {
        if (matches != null) {
            return matches[i];
        }
        return rows.isLive(i) && rows.embedded(i) ? i : -1;
    }

    /** The distance of the prepared query to row {@code row}'s vector in the tail's contiguous array. */
    private static float distance(DistanceFunction distance, float[] prepared, float[] vectors, int row, int dim,
                                  TailRows.Frozen rows, float[] lanes) {
        return switch (distance) {
            case L2 -> VectorKernels.squaredDistance(prepared, vectors, row * dim, dim, lanes);
            case IP -> 1.0f - VectorKernels.dot(prepared, vectors, row * dim, dim, lanes);
            case COSINE -> 1.0f - VectorKernels.scaledDot(prepared, vectors, row * dim, dim, rows.inverseNorm(row),
                    lanes);
        };
    }

    /**
     * Row {@code row}'s distance from its int8 code, for the first pass: {@code q·x ≈ scale · Σ q·code}; for L2,
     * {@code |q − x|² = |q|² + |x|² − 2 q·x} with {@code |x|} from the row's inverse norm.
     */
    private static float approximate(DistanceFunction distance, float[] prepared, float squaredNorm, int row, int dim,
                                     TailRows.Frozen rows, float[] lanes) {
        float dot = VectorKernels.codeDot(prepared, rows.codes(), row * dim, dim, lanes) * rows.codeScale(row);
        return switch (distance) {
            case L2 -> {
                float norm = 1.0f / rows.inverseNorm(row);
                yield squaredNorm + norm * norm - 2f * dot;
            }
            case IP -> 1.0f - dot;
            case COSINE -> 1.0f - dot * rows.inverseNorm(row);
        };
    }

    /** The best {@code k} (distance, sequence) pairs seen; its root is the worst of them. */
    private static final class Heap {
        private final float[] distances;
        private final long[] sequences;
        private final int[] rows;
        private int size;

        Heap(int k) {
            distances = new float[k];
            sequences = new long[k];
            rows = new int[k];
        }

        void offer(float distance, int row, TailRows.Frozen tail) {
            float d = distance;
            if (size < distances.length) {
                int i = size++;
                distances[i] = d;
                sequences[i] = tail.sequence(row);
                rows[i] = row;
                siftUp(i);
            } else if (before(d, tail.sequence(row), 0)) {
                distances[0] = d;
                sequences[0] = tail.sequence(row);
                rows[0] = row;
                siftDown(0);
            }
        }

        /** Whether (distance, sequence) ranks before entry {@code i}. */
        private boolean before(float distance, long sequence, int i) {
            int byDistance = Float.compare(distance + 0.0f, distances[i] + 0.0f); // -0 ranks as 0, as elsewhere
            return byDistance != 0 ? byDistance < 0 : sequence < sequences[i];
        }

        private void siftUp(int i) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!before(distances[parent], sequences[parent], i)) {
                    return;
                }
                swap(i, parent);
                i = parent;
            }
        }

        private void siftDown(int i) {
            while (true) {
                int worst = i;
                int left = 2 * i + 1;
                int right = left + 1;
                if (left < size && before(distances[worst], sequences[worst], left)) {
                    worst = left;
                }
                if (right < size && before(distances[worst], sequences[worst], right)) {
                    worst = right;
                }
                if (worst == i) {
                    return;
                }
                swap(i, worst);
                i = worst;
            }
        }

        private void swap(int a, int b) {
            float d = distances[a];
            distances[a] = distances[b];
            distances[b] = d;
            long s = sequences[a];
            sequences[a] = sequences[b];
            sequences[b] = s;
            int r = rows[a];
            rows[a] = rows[b];
            rows[b] = r;
        }

        /** The rows held, in no order. */
        int[] rows() {
            return Arrays.copyOf(rows, size);
        }

        /** Empties the heap, best first. */
        List<SequencedHit> sorted(TailRows.Frozen tail) {
            SequencedHit[] out = new SequencedHit[size];
            while (size > 0) {
                int last = --size;
                out[last] = new SequencedHit(new QueryHit(tail.record(rows[0]), distances[0]), sequences[0]);
                swap(0, last);
                siftDown(0);
            }
            return Arrays.asList(out);
        }
    }
}
