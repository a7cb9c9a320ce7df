package io.vermilion.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.filter.Where;
import io.vermilion.model.QueryHit;
import io.vermilion.model.RankExpr;
import io.vermilion.model.SequencedHit;
import io.vermilion.record.MetadataValue;

/**
 * Answers a sparse {@code $knn} exactly, as Chroma's sparse operators score it: each record passing the filter whose
 * metadata {@code key} holds a sparse vector sharing an index with the query scores {@code 1 - query·vector}
 * (float32, shared indices in ascending order); the {@code limit} lowest win, ties by insertion order. Scans the
 * filtered records of the view (compacted version and log tail). Stateless.
 */
final class SparseKnn {

    private SparseKnn() {}

    static List<SequencedHit> nearest(CollectionView view, RankExpr.Knn knn, Where filter, boolean embeddings) {
        MetadataValue.Sparse query = knn.sparse();
        // Max-heap on (score, sequence): its head is the worst of the best `limit` seen so far.
        PriorityQueue<SequencedHit> heap = new PriorityQueue<>(Math.max(1, knn.limit()),
                (a, b) -> SequencedHit.compare(b, a));
        for (SequencedRecord candidate : view.sequencedScan(filter, embeddings)) {
            var metadata = candidate.record().metadata();
            if (metadata == null || !(metadata.get(knn.key()) instanceof MetadataValue.Sparse vector)
                    || !vector.overlaps(query)) {
                continue;
            }
            SequencedHit hit = new SequencedHit(new QueryHit(candidate.record(), 1.0f - query.dot(vector)),
                    candidate.sequence());
            if (heap.size() < knn.limit()) {
                heap.add(hit);
            } else if (SequencedHit.compare(hit, heap.peek()) < 0) {
                heap.poll();
                heap.add(hit);
            }
        }
        List<SequencedHit> best = new ArrayList<>(heap);
        best.sort(SequencedHit::compare);
        return best;
    }
}
