package io.streamrec.stream;

import io.streamrec.learn.ItemBasis;

/**
 * Callbacks from the stream processors to whoever watches training (metrics, the live page).
 * Called on Kafka Streams threads: implementations must be thread-safe and cheap.
 */
public interface TrainerListener {
    /** A listener that ignores everything. */
    TrainerListener NONE = new TrainerListener() {};

    /** An event passed validation and joined a mini-batch. */
    default void eventTrained() {}

    /** An event went to the dead-letter topic; {@code reason} is one of the bounded DLQ reason codes. */
    default void eventRejected(String reason) {}

    /** Progressive validation: the model predicted {@code prediction} for an event labeled {@code label}, before learning it. */
    default void prequential(double label, double prediction) {}

    /**
     * Sampled prequential ranking: an event was ranked among the items its user task knows before it was learned,
     * and was ({@code hit}) or was not among the top {@code cutoff}.
     */
    default void ranked(int cutoff, boolean hit) {}

    /** A mini-batch was applied. {@code role} is "user" or "item". */
    default void flushed(String role, int batchSize, long durationNanos, double meanLoss, double learningRate) {}

    /**
     * Model rows of {@code kind} ("user" or "item") were written to model-updates. {@code oldestIngestTime} is the
     * oldest ingest time (the input record's Kafka timestamp, epoch ms) of the events those rows include, so
     * {@code now - oldestIngestTime} is the publish latency even when the events' own timestamps are historical.
     */
    default void rowsPublished(String kind, int count, long oldestIngestTime) {}

    /** The task for {@code kind} rows on {@code partition} now holds {@code rows} rows. */
    default void modelRows(String kind, int partition, long rows) {}

    /** The task for {@code kind} rows on {@code partition} closed (its rows moved elsewhere). */
    default void taskClosed(String kind, int partition) {}

    /**
     * The task for {@code kind} rows on {@code partition} has applied {@code rowSteps} optimizer steps to its rows in
     * total (kept across restarts in the task's state). Summed over all tasks, that is the streamed part of the model
     * version (sum of row versions; pretrained snapshot versions excluded).
     */
    default void modelVersion(String kind, int partition, long rowSteps) {}

    /** A user task dropped {@code rows} least recently used rows from memory ({@code user.cache.rows}). */
    default void userRowsEvicted(int rows) {}

    /**
     * Over {@code events} predictions, the published item versions the user task predicted with were
     * {@code totalAgeMs} old in sum (now minus each row's {@code updatedAt}); predictions with an item that has no
     * published version yet are not counted.
     */
    default void itemStaleness(long totalAgeMs, int events) {}

    /** {@code rows} rows of {@code kind} went unused for {@code rows.ttl.ms}: deleted and tombstoned. */
    default void rowsExpired(String kind, int rows) {}

    // Publication gate (docs/gate.md).

    /** An event was held out of training as the gate's validation data (it was scored, not trained). */
    default void eventHeldOut() {}

    /** An event was quarantined: the gate's label check found the arriving labels suspect (scored, not trained). */
    default void eventQuarantined() {}

    /** The gate of user partition {@code partition} judged the live model (RMSEs on its window, NaN if unknown). */
    default void gateChecked(int partition, boolean open, double liveRmse, double referenceRmse) {}

    /** The gate of user partition {@code partition} closed; {@code reason}: {@code quality}, {@code labels}, {@code non-finite},
     * {@code norm}. */
    default void gateClosed(int partition, String reason) {}

    /** User partition {@code partition}, or an item task ({@code partition} of role "item"), rolled back. */
    default void gateRolledBack(String role, int partition) {}

    /** {@code rows} ids of {@code kind} reached {@code rows.admission.min.events} and got a row of their own. */
    default void rowsAdmitted(String kind, int rows) {}

    /**
     * The basis task ({@code model.neighbourhood}) learned {@code residuals} more residuals on this instance, and its
     * learner now keeps {@code users} users' histories (0 once the task has left the instance). Told every thousand
     * residuals and at each save, from the task's stream thread.
     */
    default void residualsLearned(long residuals, int users) {}

    /** The instance read a new residual basis from {@code residual-bases}, from the global thread. */
    default void basisReceived(ItemBasis basis) {}
}
