package io.vermilion.client;

import java.util.List;
import java.util.Map;

/**
 * The results of a batch of searches, one row per search, best first: {@code ids().get(s).get(i)} is the i-th
 * result of search {@code s}. A column the search did not select is null in its row; {@code select} lists each
 * search's keys in the server's order.
 */
public record SearchResult(List<List<String>> ids, List<List<String>> documents, List<List<float[]>> embeddings,
        List<List<Map<String, Object>>> metadatas, List<List<Float>> scores, List<List<String>> select) {}
