package io.streamrec.stream;

/** Names of the topics and state stores of the training topology; tests and tools reuse them. */
public final class Topics {
    /** Input: labeled events, JSON, keyed by user id (any key, or none, still trains correctly). */
    public static final String INTERACTIONS = "interactions";
    /** Events that cannot be trained: original bytes, reason in headers. */
    public static final String DLQ = "interactions-dlq";
    /** Compacted: the current model, one record per row, plus {@code meta} and {@code mean:<partition>}. */
    public static final String MODEL_UPDATES = "model-updates";
    /** One JSON record per flush and partition. */
    public static final String TRAINING_METRICS = "training-metrics";
    /** Internal: events whose key was not their user id, re-keyed by user. Same partition count as the input. */
    public static final String USER_EVENTS = "user-events";
    /** Internal: per-flush item gradients from the user tasks, keyed by item id. */
    public static final String ITEM_GRADIENTS = "item-gradients";
    /**
     * Internal, compacted, fism only: what a fism snapshot holds beside its rows (users' sums and histories, the
     * items' context vectors), written with the rows when a new application id starts from {@code init.model}.
     */
    public static final String FISM_SEED = "fism-seed";
    /**
     * Internal, one partition, {@code model.neighbourhood} only: each trained event's residual, from the user tasks,
     * which the one basis task learns from. Records the task has committed past are deleted.
     */
    public static final String RESIDUALS = "residuals";
    /**
     * Internal, one partition, compacted, {@code model.neighbourhood} only: the basis task's latest residual basis
     * under the key {@code basis} ({@code io.streamrec.learn.ItemBasis#toBytes}), which every instance reads.
     */
    public static final String RESIDUAL_BASES = "residual-bases";

    /** User rows with their optimizer state (persistent, changelogged). */
    public static final String USER_STORE = "user-rows";
    /** Item rows with their optimizer state (persistent, changelogged). */
    public static final String ITEM_STORE = "item-rows";
    /** Events that joined a user mini-batch but are not yet flushed (changelogged, survives a crash). */
    public static final String USER_PENDING_STORE = "user-pending";
    /** The user tasks' fism state (context vectors, users' sums and histories): fism models only. */
    public static final String USER_FISM_STORE = "user-fism";
    /** The user tasks' residual-neighbourhood state (users' levels and histories, the fit): model.neighbourhood only. */
    public static final String USER_NEIGHBOURHOOD_STORE = "user-neighbourhood";
    /** Item gradients received but not yet applied (changelogged, survives a crash). */
    public static final String ITEM_PENDING_STORE = "item-pending";
    /** Per-task counters of the user tasks: global-mean sums, events seen (changelogged). */
    public static final String USER_TASK_STATE_STORE = "task-state-user";
    /** Per-task counters of the item tasks (changelogged). */
    public static final String ITEM_TASK_STATE_STORE = "task-state-item";
    /** Global store: every record of {@code model-updates}, as published. */
    public static final String GLOBAL_ROWS_STORE = "global-model-rows";
    /** Global store, fism only: every record of {@code fism-seed}. */
    public static final String FISM_SEED_STORE = "global-fism-seed";
    /** The basis task's learner ({@code io.streamrec.learn.ResidualBasis}'s entries; changelogged). */
    public static final String RESIDUAL_BASIS_STORE = "residual-basis";
    /** Residuals the basis task learned since its last save (changelogged, survives a crash). */
    public static final String RESIDUAL_BASIS_PENDING_STORE = "residual-basis-pending";
    /** Global store, {@code model.neighbourhood} only: nothing is kept in it; its processor hands the basis on. */
    public static final String RESIDUAL_BASES_STORE = "global-residual-bases";
    // The keys of model-updates records are io.streamrec.model.ModelKeys, shared with the client.

    private Topics() {}
}
