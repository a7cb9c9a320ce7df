package io.vermilion.model;

/**
 * How a collection's HNSW graph holds its vectors: full float32, or int8 scalar-quantized (about a quarter of the
 * memory for the graph's vector data; raw float32 copies stay on disk, so exact distances are still available).
 */
public enum VectorQuantization {
    /** {@code Lucene99HnswVectorsFormat}: float32 vectors in the graph. */
    FLOAT32,
    /** {@code Lucene104HnswScalarQuantizedVectorsFormat} with 8-bit unsigned-byte encoding. */
    INT8
}
