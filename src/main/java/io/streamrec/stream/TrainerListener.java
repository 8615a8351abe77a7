package io.streamrec.stream;

/**
 * Callbacks from the stream processors to whoever watches training (metrics, the live page).
 * Called on Kafka Streams threads: implementations must be thread-safe and cheap.
 */
public interface TrainerListener {
    /** A listener that ignores everything. */
    TrainerListener NONE = new TrainerListener() { };

    /** An event passed validation and joined a mini-batch. */
    default void eventTrained() { }

    /** An event went to the dead-letter topic; {@code reason} is one of the bounded DLQ reason codes. */
    default void eventRejected(String reason) { }

    /** Progressive validation: the model predicted {@code prediction} for an event labeled {@code label}, before learning it. */
    default void prequential(double label, double prediction) { }

    /** A mini-batch was applied. {@code role} is "user" or "item". */
    default void flushed(String role, int batchSize, long durationNanos, double meanLoss, double learningRate) { }

    /** Model rows of {@code kind} ("user" or "item") were written to model-updates; {@code maxEventTime} is the newest event time they include. */
    default void rowsPublished(String kind, int count, long maxEventTime) { }

    /** The task for {@code kind} rows on {@code partition} now holds {@code rows} rows. */
    default void modelRows(String kind, int partition, long rows) { }

    /** The task for {@code kind} rows on {@code partition} closed (its rows moved elsewhere). */
    default void taskClosed(String kind, int partition) { }

    /** The model version (sum of row versions) known to this instance grew to {@code version}. */
    default void modelVersion(long version) { }
}
