package io.vermilion.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedder reproduces the shared dataset's vectors (made with the same ONNX model, truncated at 128 word pieces),
 * and at the default 256 it agrees on every text that fits in 128; vectors are unit length and batch-independent.
 */
class MiniLmEmbedderTest {

    private static final EmbeddingDataset DATA = EmbeddingDataset.open();
    private static MiniLmEmbedder at128;
    private static MiniLmEmbedder at256;

    @BeforeAll
    static void load() {
        at128 = new MiniLmEmbedder(128, 1);
        at256 = new MiniLmEmbedder(256, 1);
    }

    @AfterAll
    static void close() {
        at128.close();
        at256.close();
    }

    @Test
    void documentsReproduceBaseVectorsAt128Tokens() {
        List<EmbeddingDataset.Text> docs = DATA.documents(96);
        assertTrue(docs.stream().anyMatch(d -> d.tokens() > 128), "the sample has documents longer than 128 pieces");
        float[][] got = at128.embed(docs.stream().map(EmbeddingDataset.Text::text).toList());
        for (int i = 0; i < docs.size(); i++) {
            double cos = EmbeddingDataset.cosine(got[i], DATA.baseVector(docs.get(i).row()));
            assertTrue(cos >= 0.9999, "document " + docs.get(i).row() + ": cosine " + cos);
        }
    }

    @Test
    void queriesReproduceQueryVectors() {
        List<EmbeddingDataset.Text> queries = DATA.queries(64);
        float[][] got = at256.embed(queries.stream().map(EmbeddingDataset.Text::text).toList());
        for (int i = 0; i < queries.size(); i++) {
            double cos = EmbeddingDataset.cosine(got[i], DATA.queryVector(queries.get(i).row()));
            assertTrue(cos >= 0.9999, "query " + queries.get(i).row() + ": cosine " + cos);
        }
    }

    @Test
    void defaultTruncationDiffersOnlyForDocumentsLongerThan128Pieces() {
        List<EmbeddingDataset.Text> docs = DATA.documents(96);
        float[][] got = at256.embed(docs.stream().map(EmbeddingDataset.Text::text).toList());
        int longer = 0;
        for (int i = 0; i < docs.size(); i++) {
            double cos = EmbeddingDataset.cosine(got[i], DATA.baseVector(docs.get(i).row()));
            if (docs.get(i).tokens() <= 128) {
                assertTrue(cos >= 0.9999, "document " + docs.get(i).row() + ": cosine " + cos);
            } else if (cos < 0.9999) {
                longer++;
            }
        }
        assertTrue(longer > 0, "a document longer than 128 pieces embeds differently at 256");
    }

    @Test
    void truncatesAtMaxTokensAndEmbedsEmptyText() {
        String words = "word ".repeat(600);
        assertEquals(256, at256.tokens(words));
        assertEquals(128, at128.tokens(words));
        assertEquals(2, at256.tokens(""));
        float[] empty = at256.embed(List.of("")).clone()[0];
        assertEquals(1.0, norm(empty), 1e-5);
        // Words past the limit change nothing.
        float[][] cut = at256.embed(List.of("word ".repeat(254) + "zebra", "word ".repeat(254) + "giraffe"));
        assertArrayEquals(cut[0], cut[1]);
    }

    @Test
    void batchingDoesNotChangeVectors() {
        List<String> texts = new ArrayList<>();
        DATA.documents(8).forEach(d -> texts.add(d.text()));
        float[][] together = at256.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = at256.embed(List.of(texts.get(i)))[0];
            assertTrue(EmbeddingDataset.cosine(alone, together[i]) >= 0.99999, "text " + i);
            assertEquals(1.0, norm(together[i]), 1e-5);
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
