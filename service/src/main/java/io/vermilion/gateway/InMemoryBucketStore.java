package io.vermilion.gateway;

import io.vermilion.sysdb.BucketStore;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.time.Duration;

/**
 * Buckets in this replica's memory: no I/O, but nothing is shared, so with N replicas a client may get up to N
 * times the configured rate. For a single node. Thread-safe; idle buckets are dropped after a while.
 */
public final class InMemoryBucketStore implements BucketStore {

    private final Cache<String, Bucket> buckets =
            Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).maximumSize(1_000_000).build();

    @Override
    public ConsumptionProbe tryConsume(String id, BucketConfiguration configuration) {
        return buckets.get(id, k -> {
            LocalBucketBuilder b = Bucket.builder();
            for (Bandwidth limit : configuration.getBandwidths()) {
                b.addLimit(limit);
            }
            return b.build();
        }).tryConsumeAndReturnRemaining(1);
    }

    @Override
    public boolean blocking() {
        return false;
    }
}
