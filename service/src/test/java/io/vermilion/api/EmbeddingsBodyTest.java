package io.vermilion.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.error.ChromaException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Streaming the embeddings field gives what the tree parse gives: the same floats bit for bit and the same other
 * fields for plain bodies, and for every other body exactly the tree parse's outcome (its value or its 4xx).
 */
class EmbeddingsBodyTest {

    @Test
    void plainEmbeddingsAreStreamedToTheFloatsTheTreeGives() {
        String body = "{\"ids\": [\"a\", \"b\"], \"embeddings\": [[1, -2.5, 0.1, 3.4028235e38, 1e-46, 123456789012],"
                + " [0, -0.0, 1E2, 7]], \"documents\": [\"x\", null], \"metadatas\": [{\"k\": 1.5}, null]}";
        EmbeddingsBody streamed = EmbeddingsBody.parse(body, "embeddings", true);
        ObjectNode tree = JsonBody.object(body);

        assertTrue(streamed.streamed());
        assertEquals(2, streamed.vectors().size());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(RecordWrites.floats(tree.get("embeddings").get(i), "embeddings"), streamed.vectors().get(i));
        }
        tree.remove("embeddings");
        assertEquals(tree, streamed.fields());
        assertNull(streamed.base64());
    }

    @Test
    void randomNumbersInEveryNotationDecodeToTheTreesFloatsBitForBit() {
        long seed = io.vermilion.testing.Seeds.seed("randomNumbersInEveryNotationDecodeToTheTreesFloatsBitForBit");
        java.util.Random random = new java.util.Random(seed);
        StringBuilder body = new StringBuilder("{\"embeddings\": [");
        for (int e = 0; e < 20; e++) {
            body.append(e == 0 ? "[" : ", [");
            for (int i = 0; i < 500; i++) {
                double x = switch (random.nextInt(5)) {
                    case 0 -> (double) (float) random.nextGaussian(); // as numpy float32 .tolist() gives them
                    case 1 -> random.nextGaussian() * Math.pow(10, random.nextInt(80) - 40);
                    case 2 -> Double.longBitsToDouble(random.nextLong() & 0x47EF_FFFF_FFFF_FFFFL); // |x| < 2^127
                    case 3 -> random.nextInt(2_000_001) - 1_000_000;
                    default -> Float.intBitsToFloat(random.nextInt() & 0x7F7F_FFFF); // any finite float
                };
                String text = switch (random.nextInt(4)) {
                    case 0 -> Double.toString(x);
                    case 1 -> String.format(java.util.Locale.ROOT, "%.25e", x);
                    case 2 -> Math.abs(x) > 1e-20 && Math.abs(x) < 1e40
                            ? new java.math.BigDecimal(x).toPlainString() // every digit of the double
                            : Double.toString(x);
                    default -> Double.toString(x).toUpperCase(java.util.Locale.ROOT);
                };
                body.append(i == 0 ? "" : ", ").append(text);
            }
            body.append(']');
        }
        body.append("]}");
        ObjectNode tree = JsonBody.object(body.toString());
        EmbeddingsBody streamed = EmbeddingsBody.parse(body.toString(), "embeddings", true);
        for (int e = 0; e < 20; e++) {
            float[] want = RecordWrites.floats(tree.get("embeddings").get(e), "embeddings");
            float[] got = streamed.vectors().get(e);
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                        "element " + i + " of " + e + ": " + tree.get("embeddings").get(e).get(i) + ", "
                                + io.vermilion.testing.Seeds.replay(seed));
            }
        }
    }

    @Test
    void base64EmbeddingsAreKeptAsTheirStrings() {
        EmbeddingsBody streamed = EmbeddingsBody.parse("{\"ids\": [\"a\"], \"embeddings\": [\"AACAPw==\"]}",
                "embeddings", true);
        assertEquals(List.of("AACAPw=="), streamed.base64());
        assertNull(streamed.vectors());
        assertFalse(streamed.fields().has("embeddings"));
    }

    @Test
    void queryEmbeddingsAsStringsAreLeftToTheTree() {
        String body = "{\"query_embeddings\": [\"AACAPw==\"], \"n_results\": 1}";
        EmbeddingsBody parsed = EmbeddingsBody.parse(body, "query_embeddings", false);
        assertFalse(parsed.streamed());
        assertEquals(JsonBody.object(body), parsed.fields());
    }

    @Test
    void aBodyWithoutTheFieldIsTheTreeParse() {
        String body = "{\"ids\": [\"a\"], \"metadatas\": [{\"k\": \"v\"}]}";
        EmbeddingsBody parsed = EmbeddingsBody.parse(body, "embeddings", true);
        assertFalse(parsed.streamed());
        assertEquals(JsonBody.object(body), parsed.fields());
    }

    @Test
    void everyOtherBodyGetsTheTreeParsesOutcome() {
        List<String> bodies = List.of(
                "",
                "   ",
                "[1, 2]",
                "{\"embeddings\": [[1, 2, 1e400]]}",
                "{\"embeddings\": [[1, 2, -1e400]], \"ids\": [\"a\"]}",
                "{\"embeddings\": [[1, NaN]]}",
                "{\"embeddings\": [[1, 2], null]}",
                "{\"embeddings\": [[1, 2], \"AACAPw==\"]}",
                "{\"embeddings\": [\"AACAPw==\", [1, 2]]}",
                "{\"embeddings\": [[1, [2]]]}",
                "{\"embeddings\": [[1, \"2\"]]}",
                "{\"embeddings\": [[1, true]]}",
                "{\"embeddings\": null}",
                "{\"embeddings\": 5}",
                "{\"embeddings\": [[1, 2]]} trailing",
                "{\"embeddings\": [[1, 2]]}{}",
                "{\"embeddings\": [[1, 2]], \"embeddings\": [[3]]}",
                "{\"ids\": [\"a\"], \"ids\": [\"b\"], \"embeddings\": [[3]]}",
                "{\"embeddings\": [[1, 2]], \"documents\": [\"nul \\u0000 here\"]}",
                "{\"embeddings\": [\"\\ud800\"]}",
                "{\"embeddings\": [\"a\\u0000\"]}",
                "{\"embeddings\": [[1, 2]], \"documents\": [\"\\udc00\"]}",
                "{\"embeddings\": [[1, 2]], \"metadatas\": [{\"x\": 1e999}]}",
                "{\"embeddings\": [[1, 2]",
                "{\"embeddings\": [[1, 2]], ",
                "{\"embeddings\": [[" + "9".repeat(400) + "]]}",
                "{\"embeddings\": [[" + "9".repeat(2000) + "]]}");
        for (String body : bodies) {
            for (String field : List.of("embeddings", "query_embeddings")) {
                Object viaTree = outcome(() -> JsonBody.object(body));
                Object streamed = outcome(() -> {
                    EmbeddingsBody parsed = EmbeddingsBody.parse(body, field, true);
                    assertFalse(parsed.streamed(), "not plain, so not streamed: " + body);
                    return parsed.fields();
                });
                assertEquals(viaTree, streamed, body);
            }
        }
    }

    @Test
    void emptyEmbeddingsAreStreamedAsTheyAre() {
        EmbeddingsBody parsed = EmbeddingsBody.parse("{\"embeddings\": [[], [1]]}", "embeddings", true);
        assertEquals(2, parsed.vectors().size());
        assertEquals(0, parsed.vectors().get(0).length);
        assertArrayEquals(new float[] {1f}, parsed.vectors().get(1));
        assertEquals(List.of(), EmbeddingsBody.parse("{\"embeddings\": []}", "embeddings", true).vectors());
    }

    private static Object outcome(java.util.function.Supplier<JsonNode> parse) {
        try {
            return parse.get();
        } catch (ChromaException e) {
            return e.code() + ": " + e.getMessage();
        }
    }
}
