package io.vermilion.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Request-body decode, in process, as the record routes do it: a 100 × 384 add body (JSON numbers as the plain
 * client sends them, and base64 float32 as chromadb-client 1.x sends them) and a 1 × 384 query body, each decoded
 * (a) through the Jackson tree (JsonBody.object, then the tree's numbers to float[]) as before and (b) with the
 * streaming parser (EmbeddingsBody). In the api package to reach its package-private classes; run by
 * bench/micro-bench.sh. Usage: DecodeBench DATASET_DIR.
 */
public class DecodeBench {

    public static void main(String[] args) throws IOException {
        float[][] vectors = read(Path.of(args[0]).resolve("base.fvecs"), 100);
        String addNumbers = addBody(vectors, false);
        String addBase64 = addBody(vectors, true);
        String query = "{\"query_embeddings\": [" + numbers(vectors[7]) + "], \"n_results\": 10, \"where\": null,"
                + " \"where_document\": null, \"include\": [\"metadatas\", \"documents\", \"distances\"]}";
        System.out.printf("bodies: add numbers %,d B, add base64 %,d B, query %,d B%n", addNumbers.length(),
                addBase64.length(), query.length());
        for (int round = 0; round < 5; round++) {
            System.out.printf("round %d: add 100×384 numbers tree %.3f / streamed %.3f ms;"
                            + " add base64 tree %.3f / streamed %.3f ms; query 1×384 tree %.4f / streamed %.4f ms%n",
                    round,
                    time(200, () -> treeVectors(addNumbers, "embeddings")),
                    time(200, () -> EmbeddingsBody.parse(addNumbers, "embeddings", true).vectors().size()),
                    time(400, () -> treeBase64(addBase64)),
                    time(400, () -> streamedBase64(addBase64)),
                    time(5_000, () -> treeVectors(query, "query_embeddings")),
                    time(5_000, () -> EmbeddingsBody.parse(query, "query_embeddings", false).vectors().size()));
        }
    }

    /** Before: the whole body as a tree, then each embedding's numbers read from it. */
    private static int treeVectors(String body, String field) {
        ObjectNode tree = JsonBody.object(body);
        int n = 0;
        for (JsonNode e : tree.get(field)) {
            n += RecordWrites.floats(e, field).length;
        }
        return n;
    }

    private static int treeBase64(String body) {
        ObjectNode tree = JsonBody.object(body);
        int n = 0;
        for (JsonNode e : tree.get("embeddings")) {
            n += RecordWrites.Embeddings.decodeBase64(e.textValue()).length;
        }
        return n;
    }

    private static int streamedBase64(String body) {
        int n = 0;
        for (String text : EmbeddingsBody.parse(body, "embeddings", true).base64()) {
            n += RecordWrites.Embeddings.decodeBase64(text).length;
        }
        return n;
    }

    private static double time(int iterations, java.util.function.IntSupplier work) {
        long sink = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            sink += work.getAsInt();
        }
        double ms = (System.nanoTime() - t0) / 1e6 / iterations;
        return sink == 42 ? ms + 1e-9 : ms;
    }

    private static String addBody(float[][] vectors, boolean base64) {
        StringBuilder ids = new StringBuilder();
        StringBuilder embeddings = new StringBuilder();
        StringBuilder documents = new StringBuilder();
        StringBuilder metadatas = new StringBuilder();
        for (int i = 0; i < vectors.length; i++) {
            String sep = i == 0 ? "" : ", ";
            ids.append(sep).append('"').append(i).append('"');
            if (base64) {
                ByteBuffer bytes = ByteBuffer.allocate(vectors[i].length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(vectors[i]);
                embeddings.append(sep).append('"').append(Base64.getEncoder().encodeToString(bytes.array())).append('"');
            } else {
                embeddings.append(sep).append(numbers(vectors[i]));
            }
            documents.append(sep).append("\"package ").append(i).append(": ").append("a library of useful routines ".repeat(6)).append('"');
            metadatas.append(sep).append("{\"package\": \"pkg").append(i).append("\", \"section\": \"libs\", \"architecture\": \"amd64\","
                    + " \"priority\": \"optional\", \"installed_size_kb\": ").append(100 + i).append('}');
        }
        return "{\"ids\": [" + ids + "], \"embeddings\": [" + embeddings + "], \"metadatas\": [" + metadatas
                + "], \"documents\": [" + documents + "], \"uris\": null}";
    }

    /** As numpy float32 .tolist() then orjson write them: the shortest text of each value as a double. */
    private static String numbers(float[] v) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            out.append(i == 0 ? "" : ", ").append((double) v[i]);
        }
        return out.append(']').toString();
    }

    private static float[][] read(Path file, int max) throws IOException {
        List<float[]> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            byte[] header = new byte[4];
            while (out.size() < max && in.read(header) == 4) {
                int dim = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt();
                float[] v = new float[dim];
                ByteBuffer.wrap(in.readNBytes(dim * 4)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                out.add(v);
            }
        }
        return out.toArray(new float[0][]);
    }
}
