package io.vermilion.sysdb;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;

/** Token buckets by id. Implementations decide where a bucket's state lives and who else sees it. */
public interface BucketStore {

    /**
     * Takes one token from bucket {@code id}, created full from {@code configuration} when it does not exist yet.
     * The probe tells whether it was taken and, if not, how long until one is there.
     */
    ConsumptionProbe tryConsume(String id, BucketConfiguration configuration);

    /** True when {@link #tryConsume} does blocking I/O and must not run on an event loop. */
    boolean blocking();

    /** Forgets buckets that have been full for a while; returns how many. */
    default int sweep() {
        return 0;
    }
}
