package io.streamrec.model;

/** One decoded {@code model-updates} record: a row upsert, the label sums of a partition, a meta record, or a tombstone. */
public sealed interface ModelUpdate {

    /** Upserts a user or item row. */
    record Row(ModelRow row) implements ModelUpdate {}

    /** Replaces the model metadata. */
    record Meta(ModelMeta meta) implements ModelUpdate {}

    /** A null value on a row key: the row is deleted from the compacted topic. */
    record RowTombstone(RowKind kind, String id) implements ModelUpdate {}

    /**
     * The label sums of one user partition ({@code mean:<partition>}) or of the seeding snapshot
     * ({@code mean:snapshot}, partition -1). The global mean is the sum of all sums over the sum of all counts.
     */
    record Mean(String key, int partition, double sum, double count) implements ModelUpdate {}

    /** A null value on a {@code mean:*} key. */
    record MeanTombstone(String key) implements ModelUpdate {}

    /** The publication gate of one user partition ({@code gate:<partition>}). */
    record Gate(GateState state) implements ModelUpdate {}

    /** A null value on a {@code gate:<partition>} key. */
    record GateTombstone(int partition) implements ModelUpdate {}

    /** A null value on the {@code meta} key. */
    record MetaTombstone() implements ModelUpdate {}
}
