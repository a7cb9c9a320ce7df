package io.vermilion.gateway;

import java.util.Arrays;
import java.util.Map;

/**
 * The limits one request is held to: a value per {@link Quota}, {@link #UNLIMITED} where none applies. Immutable.
 */
public final class QuotaLimits {

    public static final long UNLIMITED = Long.MAX_VALUE;

    private final long[] limits;

    private QuotaLimits(long[] limits) {
        this.limits = limits;
    }

    /** No limit at all. */
    public static QuotaLimits unlimited() {
        long[] all = new long[Quota.values().length];
        Arrays.fill(all, UNLIMITED);
        return new QuotaLimits(all);
    }

    /** Chroma Cloud's defaults. */
    public static QuotaLimits cloudDefaults() {
        return new QuotaLimits(Arrays.stream(Quota.values()).mapToLong(Quota::cloudDefault).toArray());
    }

    /** These limits with some replaced. */
    public QuotaLimits with(Map<Quota, Long> replaced) {
        long[] copy = limits.clone();
        replaced.forEach((q, v) -> copy[q.ordinal()] = v);
        return new QuotaLimits(copy);
    }

    public QuotaLimits with(Quota quota, long limit) {
        return with(Map.of(quota, limit));
    }

    public long of(Quota quota) {
        return limits[quota.ordinal()];
    }

    public boolean limits(Quota quota) {
        return of(quota) != UNLIMITED;
    }

    /** Refuses {@code action} when its {@code usage} of {@code quota} is over the limit. */
    public void check(Quota quota, String action, long usage) {
        long limit = of(quota);
        if (usage > limit) {
            throw new QuotaExceededException(quota, action, usage, limit);
        }
    }
}
