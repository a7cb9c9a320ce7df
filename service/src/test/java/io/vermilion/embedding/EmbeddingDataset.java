package io.vermilion.embedding;

import org.junit.jupiter.api.Assumptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared debian-packages-minilm-l6-v2 dataset, found as {@code ../shared/datasets} beside the repository (tests
 * run in the service module): document and query texts as they were embedded, and their stored vectors.
 */
public final class EmbeddingDataset {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    private EmbeddingDataset(Path dir) {
        this.dir = dir;
    }

    public static EmbeddingDataset open() {
        Path service = Path.of("").toAbsolutePath();
        Path dir = service.getParent().resolve("../shared/datasets/debian-packages-minilm-l6-v2").normalize();
        return new EmbeddingDataset(dir);
    }

    /** A document or query: its row, the text as embedded (whitespace runs collapsed) and its untruncated tokens. */
    public record Text(int row, String text, int tokens) {}

    /** The first {@code n} documents (row = document id = base.fvecs row). */
    public List<Text> documents(int n) {
        return texts("docs.jsonl", n, "id");
    }

    /** The first {@code n} queries (row = qid = query.fvecs row). */
    public List<Text> queries(int n) {
        return texts("queries.jsonl", n, "qid");
    }

    /** The relevant document of each of the first {@code n} queries (qrels, one per query). */
    public int[] relevant(int n) {
        int[] out = new int[n];
        List<JsonNode> rows = lines("queries.jsonl", n);
        for (int i = 0; i < rows.size(); i++) {
            out[i] = rows.get(i).get("relevant_doc_ids").get(0).asInt();
        }
        return out;
    }

    public float[] baseVector(int row) {
        return vector("base.fvecs", row);
    }

    public float[] queryVector(int row) {
        return vector("query.fvecs", row);
    }

    private List<Text> texts(String file, int n, String idField) {
        List<Text> out = new ArrayList<>();
        for (JsonNode row : lines(file, n)) {
            out.add(new Text(row.get(idField).asInt(), row.get("text").asText().trim().replaceAll("\\s+", " "),
                    row.path("n_tokens").asInt(-1)));
        }
        return out;
    }

    private List<JsonNode> lines(String file, int n) {
        List<JsonNode> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file(file))) {
            String line;
            while (out.size() < n && (line = r.readLine()) != null) {
                out.add(JSON.readTree(line));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private float[] vector(String file, int row) {
        try (var ch = Files.newByteChannel(file(file))) {
            int record = 4 + 4 * MiniLmEmbedder.DIMENSION;
            ByteBuffer b = ByteBuffer.allocate(record).order(ByteOrder.LITTLE_ENDIAN);
            ch.position((long) row * record);
            while (b.hasRemaining() && ch.read(b) > 0) {}
            b.flip();
            if (b.getInt() != MiniLmEmbedder.DIMENSION) {
                throw new IllegalStateException(file + " row " + row + " is not " + MiniLmEmbedder.DIMENSION + " wide");
            }
            float[] v = new float[MiniLmEmbedder.DIMENSION];
            b.asFloatBuffer().get(v);
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** A file of the dataset; a checkout without the dataset beside it skips the test, saying why. */
    private Path file(String name) {
        Path file = dir.resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(file), "the shared dataset is missing: expected "
                + "../shared/datasets/debian-packages-minilm-l6-v2 beside the repository (" + name + ")");
        return file;
    }
}
