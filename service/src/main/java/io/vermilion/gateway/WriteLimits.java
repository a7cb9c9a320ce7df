package io.vermilion.gateway;

import io.vermilion.config.VermilionConfig;

/**
 * The server-wide size limits of writes when auth is off (the embedded default, like Chroma's local server), from
 * {@code vermilion.limits.*}. With auth on, each tenant's quotas apply instead ({@link Quotas}).
 */
public record WriteLimits(int maxBatchSize, int maxIdBytes, int maxDocumentBytes, int maxUriBytes) {

    /** The limits configured by {@code vermilion.limits.*}. */
    public static WriteLimits of(VermilionConfig.Limits l) {
        return new WriteLimits(l.maxBatchSize(), l.maxIdBytes(), l.maxDocumentBytes(), l.maxUriBytes());
    }

    /** These limits as quotas; everything else is unlimited. */
    public QuotaLimits asQuotas() {
        return QuotaLimits.unlimited()
                .with(Quota.NUM_RECORDS, maxBatchSize)
                .with(Quota.ID_SIZE_BYTES, maxIdBytes)
                .with(Quota.DOCUMENT_SIZE_BYTES, maxDocumentBytes)
                .with(Quota.URI_SIZE_BYTES, maxUriBytes);
    }
}
