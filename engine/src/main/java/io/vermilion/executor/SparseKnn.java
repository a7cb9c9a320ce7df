package io.vermilion.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.filter.Where;
import io.vermilion.model.RankExpr;
import io.vermilion.model.VersionHit;
import io.vermilion.record.MetadataValue;

/**
 * Answers a sparse {@code $knn} exactly, as Chroma's sparse operators score it: each record passing the filter whose
 * metadata {@code key} holds a sparse vector sharing an index with the query scores {@code 1 - query·vector}
 * (float32, shared indices in ascending order); the {@code limit} lowest win, ties by insertion order. The compacted
 * version answers from its sparse index (WAND over impacts, re-scored exactly; records not loaded); the log tail is
 * scanned; the two merge. A version without a sparse index (written before there was one) is scanned too. Stateless.
 */
final class SparseKnn {

    private SparseKnn() {}

    static List<Candidate> nearest(CollectionView view, RankExpr.Knn knn, Where filter, boolean embeddings) {
        MetadataValue.Sparse query = knn.sparse();
        int limit = knn.limit();
        List<VersionHit> fromVersion = view.versionSparse(knn.key(), query, limit, filter);
        Iterable<SequencedRecord> scanned = fromVersion == null
                ? view.sequencedScan(filter, embeddings)
                : view.tailScan(filter, embeddings);
        // Max-heap on (score, sequence): its head is the worst of the best `limit` seen so far.
        PriorityQueue<Candidate> heap = new PriorityQueue<>(Math.max(1, limit), (a, b) -> Candidate.compare(b, a));
        if (fromVersion != null) {
            fromVersion.forEach(hit -> offer(heap, Candidate.of(hit), limit));
        }
        for (SequencedRecord candidate : scanned) {
            var metadata = candidate.record().metadata();
            if (metadata == null || !(metadata.get(knn.key()) instanceof MetadataValue.Sparse vector)
                    || !vector.overlaps(query)) {
                continue;
            }
            offer(heap, new Candidate(candidate.sequence(), 1.0f - query.dot(vector), candidate.record(), null), limit);
        }
        List<Candidate> best = new ArrayList<>(heap);
        best.sort(Candidate::compare);
        return best;
    }

    private static void offer(PriorityQueue<Candidate> heap, Candidate hit, int limit) {
        if (heap.size() < limit) {
            heap.add(hit);
        } else if (Candidate.compare(hit, heap.peek()) < 0) {
            heap.poll();
            heap.add(hit);
        }
    }
}
