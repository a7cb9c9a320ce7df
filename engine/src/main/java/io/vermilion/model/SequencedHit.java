package io.vermilion.model;

import java.util.Objects;

/** A query hit with its record's insertion sequence, so hits from a version and from the log tail merge in order. */
public record SequencedHit(QueryHit hit, long sequence) {

    public SequencedHit {
        Objects.requireNonNull(hit, "hit");
    }

    /** Chroma's result order: ascending distance, ties by insertion order. */
    public static int compare(SequencedHit a, SequencedHit b) {
        int byDistance = Float.compare(a.hit.distance() + 0.0f, b.hit.distance() + 0.0f);
        return byDistance != 0 ? byDistance : Long.compare(a.sequence, b.sequence);
    }
}
