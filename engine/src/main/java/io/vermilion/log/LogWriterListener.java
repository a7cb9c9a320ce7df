package io.vermilion.log;

/**
 * Hears what a {@link LogWriter} does, for metrics: each recorded fragment (one group commit), each conflicting commit
 * and each failed one. Called on the writer's threads, so it must be quick and must not block; an exception it throws
 * is ignored. The default methods do nothing, so an implementation overrides only what it needs.
 */
public interface LogWriterListener {

    /** Hears nothing. */
    LogWriterListener NONE = new LogWriterListener() {};

    /**
     * A fragment was recorded and its writes acknowledged.
     *
     * @param writes  calls of {@link LogWriter#append} it holds (the group commit's batch size)
     * @param records log records it holds
     * @param bytes   its encoded size
     * @param nanos   how long its put to the object store plus its catalog commit took
     */
    default void committed(int writes, long records, long bytes, long nanos) {}

    /** The catalog refused a commit because the log had moved on; the batch is retried at the new end of the log. */
    default void conflicted() {}

    /**
     * A batch failed with the store's or the catalog's error ({@code cause}); its writes were answered with it (their
     * outcome may be unknown, see {@link LogWriter#append}).
     */
    default void failed(Throwable cause) {}
}
