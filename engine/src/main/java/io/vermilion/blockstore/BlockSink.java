package io.vermilion.blockstore;

/** Receives each block a {@link RecordBlockSetWriter} closes, in id order, on the thread that closed it. */
@FunctionalInterface
public interface BlockSink {

    /** Takes ownership of {@code bytes}; an exception fails the writer's call. */
    void accept(BlockRef block, byte[] bytes);
}
