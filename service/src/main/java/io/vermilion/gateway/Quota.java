package io.vermilion.gateway;

import java.util.Arrays;
import java.util.Optional;

/**
 * The quotas a tenant is held to when auth is on, with Chroma's names: {@link #key()} as in Chroma's quota code and
 * in our catalog and admin API, {@link #usage()} as Chroma's quota error prints it. The defaults are Chroma Cloud's:
 * where Chroma's source ({@code rust/frontend/src/quota/mod.rs}) and its Cloud docs page differ, the docs page wins
 * (records per write 300 not 100, document 16,384 bytes not 5,000, URI 256 not 32, metadata value 4,096 not 36,
 * metadata keys 32 not 16, get limit 300 not 384, collection size 5,000,000 not 1,000,000); where the docs say
 * nothing, the source's value stands (n_results 100, query embeddings 20).
 */
public enum Quota {
    NUM_RECORDS("num_records", "Number of records", 300),
    EMBEDDING_DIMENSIONS("embedding_dimensions", "Embedding dimension", 4_096),
    DOCUMENT_SIZE_BYTES("document_size_bytes", "Document size (bytes)", 16_384),
    ID_SIZE_BYTES("id_size_bytes", "ID size (bytes)", 128),
    URI_SIZE_BYTES("uri_size_bytes", "URI size (bytes)", 256),
    METADATA_KEY_SIZE_BYTES("metadata_key_size_bytes", "Size of metadata dictionary key (bytes)", 36),
    METADATA_VALUE_SIZE_BYTES("metadata_value_size_bytes", "Size of metadata dictionary value (bytes)", 4_096),
    NUM_METADATA_KEYS("num_metadata_keys", "Number of metadata dictionary keys", 32),
    LIMIT_VALUE("limit_value", "Limit value", 300),
    NUM_RESULTS("num_results", "Number of results", 100),
    NUM_QUERY_EMBEDDINGS("num_query_embeddings", "Number of query embeddings", 20),
    COLLECTION_SIZE_RECORDS("collection_size_records", "Collection size (records)", 5_000_000),
    /** Collections per database. */
    NUM_COLLECTIONS("num_collections", "Number of collections", 1_000_000),
    /** Fork edges per fork tree (a root and all its forks); applied with auth off too, as Chroma's source has it. */
    NUM_FORKS("num_forks", "Number of forks", 256),
    NUM_SEARCH_PAYLOADS("num_search_payloads", "Number of search payloads in a search", 5),
    NUM_RANK_KNN("num_rank_knn", "Number of knn searches in a rank expression", 5),
    RANK_KNN_LIMIT("rank_knn_limit", "Limit value in rank expression", 384),
    NUM_GROUP_BY_KEYS("num_group_by_keys", "Number of group by keys in a search payload", 16),
    NUM_AGGREGATE_KEYS("num_aggregate_keys", "Number of aggregate keys in a search payload", 16);

    private final String key;
    private final String usage;
    private final long cloudDefault;

    Quota(String key, String usage, long cloudDefault) {
        this.key = key;
        this.usage = usage;
        this.cloudDefault = cloudDefault;
    }

    public String key() {
        return key;
    }

    public String usage() {
        return usage;
    }

    public long cloudDefault() {
        return cloudDefault;
    }

    public static Optional<Quota> byKey(String key) {
        return Arrays.stream(values()).filter(q -> q.key.equals(key)).findFirst();
    }
}
