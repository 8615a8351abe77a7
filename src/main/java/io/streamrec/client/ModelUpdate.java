package io.streamrec.client;

/** One decoded {@code model-updates} record: a row upsert, a meta record, or a tombstone. */
public sealed interface ModelUpdate {

    /** Upserts a user or item row. */
    record Row(ModelRow row) implements ModelUpdate {
    }

    /** Replaces the model metadata. */
    record Meta(ModelMeta meta) implements ModelUpdate {
    }

    /** A null value on a row key: the row is deleted from the compacted topic. */
    record RowTombstone(RowKind kind, String id) implements ModelUpdate {
    }

    /** A null value on the {@code meta} key. */
    record MetaTombstone() implements ModelUpdate {
    }
}
