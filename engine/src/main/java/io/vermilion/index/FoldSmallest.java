package io.vermilion.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.apache.lucene.index.FilterMergePolicy;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;

/**
 * A forced merge down to {@code n} segments that folds only the smallest ones: the {@code count - n + 1} segments with
 * the fewest live documents become one, the {@code n - 1} largest are left as they are. An HNSW merge starts from the
 * graph of its largest input and inserts the others' vectors, so folding the small segments costs about their
 * vectors, never the whole collection's. Natural merges are the wrapped policy's.
 */
final class FoldSmallest extends FilterMergePolicy {

    FoldSmallest(MergePolicy in) {
        super(in);
    }

    @Override
    public MergeSpecification findForcedMerges(SegmentInfos infos, int maxSegmentCount,
                                               Map<SegmentCommitInfo, Boolean> segmentsToMerge,
                                               MergeContext context) throws IOException {
        if (!context.getMergingSegments().isEmpty()) {
            return null; // the fold in progress; asked again once it is done
        }
        List<SegmentCommitInfo> segments = new ArrayList<>();
        for (SegmentCommitInfo info : infos) {
            if (segmentsToMerge.containsKey(info)) {
                segments.add(info);
            }
        }
        if (segments.size() <= maxSegmentCount) {
            return null;
        }
        segments.sort(Comparator.comparingInt(info -> liveDocs(info, context)));
        MergeSpecification spec = new MergeSpecification();
        spec.add(new OneMerge(List.copyOf(segments.subList(0, segments.size() - maxSegmentCount + 1))));
        return spec;
    }

    private static int liveDocs(SegmentCommitInfo info, MergeContext context) {
        try {
            return info.info.maxDoc() - context.numDeletesToMerge(info);
        } catch (IOException e) {
            return info.info.maxDoc() - info.getDelCount();
        }
    }
}
