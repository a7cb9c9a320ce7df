package io.vermilion.index;

import io.vermilion.format.FormatVersions;
import io.vermilion.model.CollectionConfiguration;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.VectorQuantization;
import io.vermilion.record.Record;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues;

/**
 * How one collection's Lucene index is built: the Chroma distance space, the Lucene similarity that serves it, the
 * HNSW parameters ({@code max_neighbors} → M, {@code ef_construction} → beam width) and the vector quantization.
 * Written into every commit's user data, so a reader needs nothing but the directory. Immutable.
 *
 * <p>Space → similarity, and how a Lucene score {@code s} converts back to Chroma's distance (readers recompute the
 * exact float32 distance from the stored vector instead; see {@link #approximateDistance}):
 * <ul>
 *   <li>{@code l2} → {@code EUCLIDEAN}: {@code s = 1 / (1 + d²)}, so {@code d² = 1/s − 1} (Chroma's l2 is d²).
 *   <li>{@code cosine} → {@code DOT_PRODUCT} over vectors normalized here exactly as Chroma normalizes them
 *       ({@code v · 1/(|v| + 1e-30)}, query {@code q / (|q| + 1e-32)}): {@code s = max((1 + q̂·v̂) / 2, 0)}, so
 *       {@code distance = 2 − 2s}. Lucene's {@code COSINE} is not used: a zero vector makes it NaN (Chroma gives 1).
 *   <li>{@code ip}, every stored vector of unit norm → {@code DOT_PRODUCT}, searched with {@code q/|q|} (same
 *       ranking, no clamping at 0): {@code s = max((1 + q̂·v) / 2, 0)}, so {@code distance = 1 − |q|(2s − 1)}.
 *   <li>{@code ip} otherwise → {@code MAXIMUM_INNER_PRODUCT}: {@code s = dot < 0 ? 1/(1 − dot) : dot + 1}, so
 *       {@code dot = s < 1 ? 1 − 1/s : s − 1} and {@code distance = 1 − dot}.
 * </ul>
 */
public record IndexSchema(
        DistanceFunction space,
        VectorSimilarityFunction similarity,
        VectorQuantization quantization,
        int maxNeighbors,
        int efConstruction) {

    /** Chroma's defaults ({@code max_neighbors}, {@code ef_construction}). */
    public static final int DEFAULT_MAX_NEIGHBORS = CollectionConfiguration.DEFAULT_MAX_NEIGHBORS;
    public static final int DEFAULT_EF_CONSTRUCTION = CollectionConfiguration.DEFAULT_EF_CONSTRUCTION;
    /** Lucene caps HNSW fields at 1024 dimensions by default; embeddings of 1536 or 3072 are common, so we lift it. */
    public static final int MAX_DIMENSIONS = 16_384;
    /** How far {@code |v|²} may stray from 1 for an {@code ip} collection to still use {@code DOT_PRODUCT}. */
    static final float UNIT_NORM_TOLERANCE = 1e-3f;

    static final String FORMAT_KEY = "vermilion.index.format";
    /** 2: embeddings in binary doc values (1: stored fields, no longer read). */
    static final int FORMAT_VERSION = 2;
    /** The index layouts this build reads; Lucene's own codec headers and footers frame and check each file. */
    static final FormatVersions VERSIONS = new FormatVersions("collection index", 2, FORMAT_VERSION);

    public IndexSchema {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(similarity, "similarity");
        Objects.requireNonNull(quantization, "quantization");
        boolean fits = switch (space) {
            case L2 -> similarity == VectorSimilarityFunction.EUCLIDEAN;
            case COSINE -> similarity == VectorSimilarityFunction.DOT_PRODUCT;
            case IP -> similarity == VectorSimilarityFunction.DOT_PRODUCT
                    || similarity == VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
        };
        if (!fits) {
            throw new IllegalArgumentException("space " + space.wireName() + " cannot be served by " + similarity);
        }
        if (maxNeighbors < 1 || maxNeighbors > Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN) {
            throw new IllegalArgumentException("max_neighbors must be in [1, " + Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN + "]: " + maxNeighbors);
        }
        if (efConstruction < 1 || efConstruction > Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH) {
            throw new IllegalArgumentException("ef_construction must be in [1, " + Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH + "]: " + efConstruction);
        }
    }

    /**
     * The schema for a collection about to be indexed with {@code records}: for {@code ip}, {@code DOT_PRODUCT} if
     * every embedding has unit norm, else {@code MAXIMUM_INNER_PRODUCT}. Later additions to a {@code DOT_PRODUCT}
     * index must be unit vectors too ({@link CollectionIndexWriter} refuses others; rebuild with a new schema).
     */
    public static IndexSchema forCollection(
            DistanceFunction space, VectorQuantization quantization, int maxNeighbors, int efConstruction, Iterable<Record> records) {
        VectorSimilarityFunction similarity = switch (space) {
            case L2 -> VectorSimilarityFunction.EUCLIDEAN;
            case COSINE -> VectorSimilarityFunction.DOT_PRODUCT;
            case IP -> allUnitNorm(records) ? VectorSimilarityFunction.DOT_PRODUCT : VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
        };
        return new IndexSchema(space, similarity, quantization, maxNeighbors, efConstruction);
    }

    /** The schema {@code configuration} asks for (space, HNSW parameters, quantization), for these records. */
    public static IndexSchema forCollection(CollectionConfiguration configuration, Iterable<Record> records) {
        return forCollection(configuration.space(), configuration.quantization(), configuration.maxNeighbors(),
                configuration.efConstruction(), records);
    }

    /** Chroma's default HNSW parameters, float32 vectors. */
    public static IndexSchema defaults(DistanceFunction space, Iterable<Record> records) {
        return forCollection(space, VectorQuantization.FLOAT32, DEFAULT_MAX_NEIGHBORS, DEFAULT_EF_CONSTRUCTION, records);
    }

    /**
     * The codec to write with: Lucene's default, with this schema's HNSW format for the vector field, merging graphs
     * on {@code merges}.
     */
    public Codec codec(MergeThreads merges) {
        KnnVectorsFormat hnsw = switch (quantization) {
            case FLOAT32 -> new Lucene99HnswVectorsFormat(maxNeighbors, efConstruction, merges.workers(),
                    merges.graphMergeExecutor());
            case INT8 -> new Lucene104HnswScalarQuantizedVectorsFormat(
                    QuantizedByteVectorValues.ScalarEncoding.UNSIGNED_BYTE, maxNeighbors, efConstruction,
                    merges.workers(), merges.graphMergeExecutor());
        };
        KnnVectorsFormat vectors = new UncappedVectorsFormat(hnsw, MAX_DIMENSIONS);
        // An anonymous subclass keeps the codec name "Lucene104", so any reader opens the index through SPI; the
        // per-field format is recorded by name in each segment and resolved the same way.
        return new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return IndexFields.VECTOR.equals(field) ? vectors : super.getKnnVectorsFormatForField(field);
            }
        };
    }

    /** This schema as commit user data. */
    public Map<String, String> toCommitData() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(FORMAT_KEY, Integer.toString(FORMAT_VERSION));
        data.put("vermilion.index.space", space.wireName());
        data.put("vermilion.index.similarity", similarity.name());
        data.put("vermilion.index.quantization", quantization.name());
        data.put("vermilion.index.max_neighbors", Integer.toString(maxNeighbors));
        data.put("vermilion.index.ef_construction", Integer.toString(efConstruction));
        return data;
    }

    /** The schema {@link #toCommitData} wrote; throws {@link IllegalArgumentException} for anything else. */
    public static IndexSchema fromCommitData(Map<String, String> data) {
        return fromCommitData(data, "index");
    }

    /**
     * The schema {@link #toCommitData} wrote. Throws {@link IllegalArgumentException} for commit data without a
     * Vermilion index format, and a {@link io.vermilion.format.FormatTooNewException} or
     * {@link io.vermilion.format.FormatTooOldException} naming {@code where} for an index format this build does not
     * read.
     */
    public static IndexSchema fromCommitData(Map<String, String> data, String where) {
        String format = data.get(FORMAT_KEY);
        long version;
        try {
            version = Long.parseLong(format == null ? "" : format);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a Vermilion collection index (format " + format + ")", e);
        }
        VERSIONS.check(version, where);
        return new IndexSchema(
                DistanceFunction.fromWireName(data.get("vermilion.index.space")),
                VectorSimilarityFunction.valueOf(data.get("vermilion.index.similarity")),
                VectorQuantization.valueOf(data.get("vermilion.index.quantization")),
                Integer.parseInt(data.get("vermilion.index.max_neighbors")),
                Integer.parseInt(data.get("vermilion.index.ef_construction")));
    }

    /** The vector the HNSW field holds for {@code embedding}: normalized for cosine, as given otherwise. */
    float[] indexedVector(float[] embedding) {
        if (space == DistanceFunction.COSINE) {
            float inverse = 1.0f / ((float) Math.sqrt(sumOfSquares(embedding)) + 1e-30f);
            float[] normalized = new float[embedding.length];
            for (int i = 0; i < embedding.length; i++) {
                normalized[i] = embedding[i] * inverse;
            }
            return normalized;
        }
        if (similarity == VectorSimilarityFunction.DOT_PRODUCT && !isUnitNorm(embedding)) {
            throw new IllegalArgumentException("this ip index holds unit vectors only (DOT_PRODUCT), got |v|² = "
                    + sumOfSquares(embedding) + "; rebuild it with MAXIMUM_INNER_PRODUCT");
        }
        return embedding;
    }

    /**
     * The query as prepared for {@link #exactDistance}: for cosine, Chroma's normalization {@code q / (|q| + 1e-32)}
     * (the same float operations as {@link DistanceFunction#COSINE}); otherwise the query itself.
     */
    float[] preparedQuery(float[] query) {
        if (space != DistanceFunction.COSINE) {
            return query;
        }
        float norm = (float) Math.sqrt(sumOfSquares(query)) + 1e-32f;
        float[] normalized = new float[query.length];
        for (int i = 0; i < query.length; i++) {
            normalized[i] = query[i] / norm;
        }
        return normalized;
    }

    /**
     * Chroma's distance, bit for bit as {@link DistanceFunction} computes it, from a prepared query and an indexed
     * vector. For cosine the indexed vector already is {@code v · 1/(|v| + 1e-30)}, so {@code 1 − Σ q̂ᵢ·v̂ᵢ} is the
     * inner-product kernel over the two, in the same order of float operations.
     */
    float exactDistance(float[] preparedQuery, float[] indexedVector) {
        return space == DistanceFunction.COSINE
                ? DistanceFunction.IP.distance(preparedQuery, indexedVector)
                : space.distance(preparedQuery, indexedVector);
    }

    /** The vector to hand Lucene's HNSW search for {@code query}; ranks the same as Chroma's distance. */
    float[] searchVector(float[] query) {
        if (space == DistanceFunction.COSINE) {
            return preparedQuery(query);
        }
        if (similarity == VectorSimilarityFunction.DOT_PRODUCT) {
            float norm = (float) Math.sqrt(sumOfSquares(query));
            if (norm == 0f) {
                return query;
            }
            float[] unit = new float[query.length];
            for (int i = 0; i < query.length; i++) {
                unit[i] = query[i] / norm;
            }
            return unit;
        }
        return query;
    }

    /**
     * Chroma's distance recovered from a Lucene score for {@code query} (see the class comment); approximate
     * (float rounding, and quantized scores for {@link VectorQuantization#INT8}).
     */
    public float approximateDistance(float score, float[] query) {
        return switch (similarity) {
            case EUCLIDEAN -> 1f / score - 1f;
            case DOT_PRODUCT -> space == DistanceFunction.COSINE
                    ? 2f - 2f * score
                    : 1f - (float) Math.sqrt(sumOfSquares(query)) * (2f * score - 1f);
            case MAXIMUM_INNER_PRODUCT -> 1f - (score < 1f ? 1f - 1f / score : score - 1f);
            case COSINE -> throw new IllegalStateException("COSINE is never used");
        };
    }

    static boolean isUnitNorm(float[] v) {
        return Math.abs(sumOfSquares(v) - 1f) <= UNIT_NORM_TOLERANCE;
    }

    private static boolean allUnitNorm(Iterable<Record> records) {
        for (Record record : records) {
            if (record.embedding() != null && !isUnitNorm(record.embedding())) {
                return false;
            }
        }
        return true;
    }

    static float sumOfSquares(float[] v) {
        float sum = 0f;
        for (float x : v) {
            sum += x * x;
        }
        return sum;
    }
}
