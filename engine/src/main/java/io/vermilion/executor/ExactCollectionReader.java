package io.vermilion.executor;

import io.vermilion.filter.Where;
import io.vermilion.filter.WhereDocument;
import io.vermilion.model.CollectionReader;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.Record;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A {@link CollectionReader} that answers by scanning every record of one immutable snapshot and computing exact
 * distances: the reference for any index-backed reader, and the reader for the un-compacted log tail. Thread-safe.
 */
public final class ExactCollectionReader implements CollectionReader {

    private final CollectionSnapshot snapshot;

    public ExactCollectionReader(CollectionSnapshot snapshot) {
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    }

    @Override
    public int count() {
        return snapshot.size();
    }

    @Override
    public List<Record> get(GetRequest request) {
        int limit = request.limit() == null ? Integer.MAX_VALUE : request.limit();
        int skip = request.offset();
        List<Record> out = new ArrayList<>();
        if (limit == 0) {
            return out;
        }
        for (int position : candidates(request.ids())) {
            Record record = snapshot.records().get(position);
            if (!passes(record, request.where(), request.whereDocument())) {
                continue;
            }
            if (skip > 0) {
                skip--;
                continue;
            }
            out.add(record);
            if (out.size() == limit) {
                break;
            }
        }
        return out;
    }

    @Override
    public List<List<QueryHit>> query(QueryRequest request) {
        List<List<QueryHit>> results = new ArrayList<>(request.queries().size());
        boolean nothing = request.nResults() == 0 || (request.ids() != null && request.ids().isEmpty());
        int[] matches = nothing ? new int[0] : embeddedMatches(request);
        for (float[] query : request.queries()) {
            results.add(nearest(query, matches, request.nResults(), request.distance()));
        }
        return results;
    }

    private List<QueryHit> nearest(float[] query, int[] matches, int nResults, DistanceFunction distance) {
        int k = Math.min(nResults, matches.length);
        if (k == 0) {
            return List.of();
        }
        float[] prepared = distance.prepareQuery(query);
        // Max-heap on (distance, position): its head is the worst of the best k seen so far.
        PriorityQueue<Scored> heap = new PriorityQueue<>(k, Collections.reverseOrder());
        for (int position : matches) {
            Scored scored = new Scored(distance.distancePrepared(prepared, snapshot.records().get(position).embedding()), position);
            if (heap.size() < k) {
                heap.add(scored);
            } else if (scored.compareTo(heap.peek()) < 0) {
                heap.poll();
                heap.add(scored);
            }
        }
        Scored[] best = heap.toArray(new Scored[0]);
        Arrays.sort(best);
        List<QueryHit> hits = new ArrayList<>(best.length);
        for (Scored scored : best) {
            hits.add(new QueryHit(snapshot.records().get(scored.position), scored.distance));
        }
        return hits;
    }

    /** Positions of records that pass the request's filters and have an embedding, in insertion order. */
    private int[] embeddedMatches(QueryRequest request) {
        int[] candidates = candidates(request.ids());
        int[] matches = new int[candidates.length];
        int n = 0;
        for (int position : candidates) {
            Record record = snapshot.records().get(position);
            if (record.embedding() != null && passes(record, request.where(), request.whereDocument())) {
                matches[n++] = position;
            }
        }
        return Arrays.copyOf(matches, n);
    }

    /** Positions to consider, ascending: all of them, or those of the known distinct {@code ids}. */
    private int[] candidates(List<String> ids) {
        if (ids == null) {
            int[] all = new int[snapshot.size()];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[] positions = new int[ids.size()];
        int n = 0;
        for (String id : ids) {
            int position = snapshot.positionOf(id);
            if (position >= 0) {
                positions[n++] = position;
            }
        }
        return Arrays.stream(positions, 0, n).sorted().distinct().toArray();
    }

    private static boolean passes(Record record, Where where, WhereDocument whereDocument) {
        return (where == null || where.matches(record)) && (whereDocument == null || whereDocument.matches(record));
    }

    /** Orders by distance, then insertion position, so results are deterministic. */
    private record Scored(float distance, int position) implements Comparable<Scored> {
        @Override
        public int compareTo(Scored other) {
            int byDistance = Float.compare(distance + 0.0f, other.distance + 0.0f);
            return byDistance != 0 ? byDistance : Integer.compare(position, other.position);
        }
    }
}
