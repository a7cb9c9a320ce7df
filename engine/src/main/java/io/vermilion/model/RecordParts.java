package io.vermilion.model;

/**
 * Which parts of a record a reader loads besides its id: metadata, document (with the uri) and embedding. A search
 * loads what its {@code select} asks for; everything else reads whole records. Immutable.
 */
public record RecordParts(boolean metadata, boolean document, boolean embedding) {

    /** Metadata, document and uri, no embedding: what filters check and what Chroma returns by default. */
    public static final RecordParts WITHOUT_EMBEDDING = new RecordParts(true, true, false);
    public static final RecordParts ALL = new RecordParts(true, true, true);

    /** Whole records, with or without their embeddings. */
    public static RecordParts all(boolean embedding) {
        return embedding ? ALL : WITHOUT_EMBEDDING;
    }

    /** These parts plus {@code other}'s. */
    public RecordParts plus(RecordParts other) {
        return new RecordParts(metadata || other.metadata, document || other.document, embedding || other.embedding);
    }
}
