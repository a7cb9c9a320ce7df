package io.vermilion.gateway;

import io.vermilion.error.ChromaException;
import io.vermilion.error.ErrorCode;

/**
 * A request refused because it would go over one of its tenant's quotas: 422 with Chroma Cloud's message, which
 * names the usage, the action and both numbers (JS clients turn it into {@code ChromaQuotaExceededError}).
 */
public final class QuotaExceededException extends ChromaException {

    private final Quota quota;
    private final long usage;
    private final long limit;

    public QuotaExceededException(Quota quota, String action, long usage, long limit) {
        super(ErrorCode.UNPROCESSABLE_ENTITY, "Quota exceeded: '" + quota.usage() + "' exceeded quota limit for action '"
                + action + "': current usage of " + usage + " exceeds limit of " + limit);
        this.quota = quota;
        this.usage = usage;
        this.limit = limit;
    }

    public Quota quota() {
        return quota;
    }

    public long usage() {
        return usage;
    }

    public long limit() {
        return limit;
    }
}
