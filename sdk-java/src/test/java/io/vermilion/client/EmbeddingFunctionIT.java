package io.vermilion.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Texts in, embeddings made either by an {@link EmbeddingFunction} on the client or, without one, by the server for a
 * collection it embeds (Chroma's {@code default} function), against the packaged server.
 */
@ExtendWith(VermilionServerExtension.class)
class EmbeddingFunctionIT {

    private static VermilionClient client;

    /** Counts of the letters a, b and c: a function whose output is known exactly. */
    private static final EmbeddingFunction LETTERS = texts -> {
        List<float[]> out = new ArrayList<>();
        for (String t : texts) {
            out.add(new float[] {count(t, 'a'), count(t, 'b'), count(t, 'c')});
        }
        return out;
    };

    private static float count(String text, char c) {
        return text.chars().filter(x -> x == c).count();
    }

    @BeforeAll
    static void connect(VermilionServer server) {
        client = new VermilionClient(server.baseUrl().toString());
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aClientSideFunctionEmbedsDocumentsAndQueryTexts() {
        String name = unique("letters");
        Collection c = client.createCollection(name, null, Space.L2, LETTERS);
        assertFalse(c.serverEmbedded());
        c.add(Records.of("x", "y", "z").withDocuments("aaa", "bb", "c"));
        GetResult got = c.get(GetRequest.all().withInclude(Include.EMBEDDINGS));
        assertEquals(List.of("x", "y", "z"), got.ids());
        assertArrayEquals(new float[] {3, 0, 0}, got.embeddings().get(0));
        assertArrayEquals(new float[] {0, 2, 0}, got.embeddings().get(1));
        assertArrayEquals(new float[] {0, 0, 1}, got.embeddings().get(2));

        QueryResult r = c.queryTexts(List.of("aa", "cc"), 2);
        assertEquals(List.of(List.of("x", "z"), List.of("z", "y")), r.ids());
        assertEquals(1.0, r.distances().get(0).get(0), 1e-6); // (3-2)^2
        assertEquals(1.0, r.distances().get(1).get(0), 1e-6); // (1-2)^2

        // A text knn in a search is embedded by the function too.
        SearchResult found = c.search(Search.ranked(Rank.knn("aa", 2)).withSelect("#score"));
        assertEquals(List.of(List.of("x", "z")), found.ids());
        assertEquals(1.0, found.scores().get(0).get(0), 1e-6);
        assertEquals(5.0, found.scores().get(0).get(1), 1e-6);

        // Given embeddings win; update and upsert embed documents too.
        c.update(Records.of("y").withDocuments("abc"));
        c.upsert(Records.of("w").withDocuments("zzz").withEmbeddings(new float[] {9, 9, 9}));
        GetResult after = c.get(GetRequest.all().withIds("y", "w").withInclude(Include.EMBEDDINGS));
        assertArrayEquals(new float[] {1, 1, 1}, after.embeddings().get(after.ids().indexOf("y")));
        assertArrayEquals(new float[] {9, 9, 9}, after.embeddings().get(after.ids().indexOf("w")));

        // The same collection got again with the function, and without it: then query_texts is the server's, a 400.
        assertEquals(List.of(List.of("x")), client.getCollection(name, LETTERS).queryTexts(List.of("aaa"), 1).ids());
        Collection plain = client.getCollection(name);
        assertNull(plain.embeddingFunction());
        assertThrows(InvalidArgumentException.class, () -> plain.queryTexts(List.of("aaa"), 1));
        assertThrows(IllegalArgumentException.class, () -> c.add(Records.of("v").withDocuments((String) null)));
        assertEquals(4, c.count());
    }

    @Test
    void withoutAFunctionTheServerEmbedsTexts() {
        Collection c = client.createCollection(unique("server"), null, Space.COSINE, null);
        assertTrue(c.serverEmbedded());
        assertTrue(client.getCollection(c.name()).serverEmbedded());
        c.add(Records.of("pie", "car", "code").withDocuments("how to bake an apple pie",
                "a red sports car with a fast engine", "writing a parser in the Java programming language"));
        GetResult got = c.get(GetRequest.all().withIds("pie").withInclude(Include.EMBEDDINGS));
        assertEquals(384, got.embeddings().get(0).length);

        QueryResult r = c.queryTexts(List.of("a red sports car with a fast engine", "how to bake an apple pie"), 1);
        assertEquals(List.of(List.of("car"), List.of("pie")), r.ids());
        assertEquals(0.0, r.distances().get(0).get(0), 1e-5);

        // A text knn in a search goes as it is, and the server embeds it.
        SearchResult found = c.search(Search.ranked(Rank.knn("how to bake an apple pie", 2)).withSelect("#score"));
        assertEquals("pie", found.ids().get(0).get(0));
        assertEquals(0.0, found.scores().get(0).get(0), 1e-5);

        // update with a document only: embedded again by the server.
        c.update(Records.of("code").withDocuments("a blue bicycle"));
        assertEquals(List.of(List.of("code")), c.queryTexts(List.of("a blue bicycle"), 1).ids());
        assertEquals(3, c.count());
    }
}
