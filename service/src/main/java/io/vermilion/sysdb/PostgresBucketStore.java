package io.vermilion.sysdb;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Buckets in the catalog's {@code rate_limit_buckets} table, shared by every replica: each take is one short
 * transaction that locks the bucket's row ({@code SELECT ... FOR UPDATE}), refills it by the time passed, takes a
 * token and writes it back, so concurrent requests on any replica draw from the same tokens. Blocking (JDBC).
 * A row expires once its bucket would be full again (plus a margin) and is then removed by {@link #sweep}.
 */
public final class PostgresBucketStore implements BucketStore {

    static final String TABLE = "rate_limit_buckets";
    private static final Duration KEEP_FULL_BUCKETS = Duration.ofMinutes(1);
    private static final int SWEEP_BATCH = 1_000;

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

    public PostgresBucketStore(DataSource dataSource) {
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(TABLE)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_FULL_BUCKETS))
                .build();
    }

    @Override
    public ConsumptionProbe tryConsume(String id, BucketConfiguration configuration) {
        return buckets.builder().build(id, () -> configuration).tryConsumeAndReturnRemaining(1);
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public int sweep() {
        int total = 0;
        int removed;
        do {
            removed = buckets.removeExpired(SWEEP_BATCH);
            total += removed;
        } while (removed == SWEEP_BATCH);
        return total;
    }
}
