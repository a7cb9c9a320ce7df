package io.vermilion.executor;

import io.vermilion.model.SequencedHit;
import io.vermilion.model.VersionHit;
import io.vermilion.record.Record;

/**
 * A {@code $knn} hit inside a search, before the page is cut: its record's insertion sequence and its distance, with
 * the record itself when it is at hand (log tail) or, for the compacted version, where to load it from. The sequence
 * names the record within a view (it is the log offset of the write that inserted the record, one offset per record,
 * and the version's copy of an id the tail holds is hidden), so a search ranks on candidates and loads only the
 * records it returns. Immutable.
 */
record Candidate(long sequence, float distance, Record record, VersionHit located) {

    Candidate {
        if ((record == null) == (located == null)) {
            throw new IllegalArgumentException("a candidate has either its record or its place in the version");
        }
    }

    static Candidate of(SequencedHit hit) {
        return new Candidate(hit.sequence(), hit.hit().distance(), hit.hit().record(), null);
    }

    static Candidate of(VersionHit hit) {
        return new Candidate(hit.sequence(), hit.distance(), null, hit);
    }

    /** Chroma's result order: ascending distance ({@code -0.0} as {@code 0.0}), ties by insertion order. */
    static int compare(Candidate a, Candidate b) {
        int byDistance = Float.compare(a.distance + 0.0f, b.distance + 0.0f);
        return byDistance != 0 ? byDistance : Long.compare(a.sequence, b.sequence);
    }
}
