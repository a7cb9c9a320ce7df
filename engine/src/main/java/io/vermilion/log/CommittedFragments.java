package io.vermilion.log;

import java.util.UUID;

import io.vermilion.catalog.FragmentRef;

/**
 * Hears each fragment a {@link LogWriter} recorded, with its encoded bytes, after the catalog recorded it and before
 * the writes in it are acknowledged: a replica's read state can take its own writes without reading them back from
 * the object store. Calls for one collection come in log order, but a listener must not rely on seeing every fragment
 * (another writer's are not seen). Called on the writer's threads, so it must be quick and must not block; an
 * exception it throws is ignored. The bytes must not be modified.
 */
@FunctionalInterface
public interface CommittedFragments {

    /** Hears nothing. */
    CommittedFragments NONE = (collection, fragment, bytes) -> {};

    /** The catalog recorded {@code fragment} of {@code collection}; {@code bytes} are its object's contents. */
    void committed(UUID collection, FragmentRef fragment, byte[] bytes);
}
