package io.vermilion.embedding;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Server-side embedding's metrics: texts embedded, the time of one model batch (histogram), texts refused because
 * the queue was full, and the texts waiting for the model now.
 */
final class EmbeddingMetrics {

    private final Counter texts;
    private final Timer batches;
    private final Counter refused;
    final AtomicLong queued = new AtomicLong();

    EmbeddingMetrics(MeterRegistry registry) {
        texts = Counter.builder("vermilion.embedding.texts")
                .description("Texts embedded on the server (documents and query texts)")
                .register(registry);
        batches = Timer.builder("vermilion.embedding.batch")
                .description("Time to embed one batch of texts (tokenize, inference, pooling)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        refused = Counter.builder("vermilion.embedding.refused")
                .description("Texts refused with 429 because too many were already waiting for the model")
                .register(registry);
        registry.gauge("vermilion.embedding.queued", queued);
    }

    void batch(int size, long nanos) {
        texts.increment(size);
        batches.record(nanos, TimeUnit.NANOSECONDS);
    }

    void refused(int size) {
        refused.increment(size);
    }
}
