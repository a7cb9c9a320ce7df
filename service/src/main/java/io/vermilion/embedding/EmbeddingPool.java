package io.vermilion.embedding;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vermilion.config.VermilionConfig;
import io.vermilion.error.ChromaException;
import io.vermilion.error.ErrorCode;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Runs the embedding model for the API on its own bounded pool (all cores but one by default), apart from the read
 * and write pools, so embedding never takes their threads. A request's texts are cut into batches of similar length
 * that run in parallel; too many texts in one request is a 400, too many waiting overall a 429 (nothing is written).
 * The model is loaded on first use.
 */
@ApplicationScoped
public class EmbeddingPool {

    private final VermilionConfig.Embedding config;
    private final EmbeddingMetrics metrics;
    private final ExecutorService threads;
    private volatile MiniLmEmbedder model;

    public EmbeddingPool(VermilionConfig config, MeterRegistry registry) {
        this.config = config.embedding();
        this.metrics = new EmbeddingMetrics(registry);
        int n = this.config.threads().orElse(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(Math.max(1, n), r -> {
            Thread t = new Thread(r, "vermilion-embedding-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Word pieces the model sees of each text; the rest is ignored. */
    public int maxTokens() {
        return config.maxTokens();
    }

    /**
     * One unit-length {@value MiniLmEmbedder#DIMENSION}-wide vector per text, in order, computed on the pool. Refuses
     * (before any work) when embedding is off, the request has too many texts, or the queue is full.
     */
    public Uni<List<float[]>> embed(List<String> texts) {
        if (!config.enabled()) {
            throw ChromaException.invalid("Server-side embedding is disabled on this server "
                    + "(vermilion.embedding.enabled=false): provide embeddings");
        }
        int n = texts.size();
        if (n > config.maxTextsPerRequest()) {
            throw ChromaException.invalid("Too many texts to embed in one request: " + n + ", the limit is "
                    + config.maxTextsPerRequest());
        }
        if (n == 0) {
            return Uni.createFrom().item(List.of());
        }
        if (metrics.queued.addAndGet(n) > config.maxQueuedTexts()) {
            metrics.queued.addAndGet(-n);
            metrics.refused(n);
            throw new ChromaException(ErrorCode.RESOURCE_EXHAUSTED,
                    "Too many texts waiting to be embedded on this server; retry later");
        }
        // Similar lengths together: a batch is padded to its longest text.
        List<Integer> order = IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingInt(i -> texts.get(i).length())).toList();
        float[][] out = new float[n][];
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        int batch = Math.max(1, config.batchSize());
        for (int start = 0; start < n; start += batch) {
            List<Integer> slice = order.subList(start, Math.min(n, start + batch));
            parts.add(CompletableFuture.runAsync(() -> {
                try {
                    long t0 = System.nanoTime();
                    float[][] vectors = model().embed(slice.stream().map(texts::get).toList());
                    for (int k = 0; k < slice.size(); k++) {
                        out[slice.get(k)] = vectors[k];
                    }
                    metrics.batch(slice.size(), System.nanoTime() - t0);
                } finally {
                    metrics.queued.addAndGet(-slice.size());
                }
            }, threads));
        }
        return Uni.createFrom().completionStage(CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)))
                .map(v -> List.of(out));
    }

    private MiniLmEmbedder model() {
        MiniLmEmbedder m = model;
        if (m == null) {
            synchronized (this) {
                m = model;
                if (m == null) {
                    m = new MiniLmEmbedder(config.maxTokens(), 1);
                    model = m;
                }
            }
        }
        return m;
    }

    @PreDestroy
    void close() {
        threads.shutdownNow();
        MiniLmEmbedder m = model;
        if (m != null) {
            m.close();
        }
    }
}
