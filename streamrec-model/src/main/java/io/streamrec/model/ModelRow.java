package io.streamrec.model;

import java.util.Arrays;

/**
 * One user or item row of {@code model-updates}.
 *
 * @param kind      user or item
 * @param id        the user or item id (the part of the key after the colon)
 * @param bias      the row's bias
 * @param factors   the latent factors; not copied, callers must not modify the array afterwards
 * @param version   optimizer steps applied to the row
 * @param updates   events that updated the row
 * @param updatedAt wall-clock epoch ms of the write, 0 when absent
 * @param eventTime largest event timestamp of the flush that changed the row, 0 when absent
 */
public record ModelRow(
        RowKind kind,
        String id,
        float bias,
        float[] factors,
        long version,
        long updates,
        long updatedAt,
        long eventTime) {

    public ModelRow {
        if (kind == null || id == null) {
            throw new IllegalArgumentException("kind and id are required, got kind=" + kind + ", id=" + id);
        }
        if (!Float.isFinite(bias)) {
            throw new IllegalArgumentException("bias must be finite, got " + bias);
        }
        if (factors == null) {
            throw new IllegalArgumentException("factors are required");
        }
        for (int f = 0; f < factors.length; f++) {
            if (!Float.isFinite(factors[f])) {
                throw new IllegalArgumentException("factor " + f + " must be a finite float, got " + factors[f]);
            }
        }
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, got " + version);
        }
    }

    /** The record key, {@code user:<id>} or {@code item:<id>}. */
    public String key() {
        return ModelKeys.row(kind, id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelRow r
                && kind == r.kind
                && id.equals(r.id)
                && Float.compare(bias, r.bias) == 0
                && Arrays.equals(factors, r.factors)
                && version == r.version
                && updates == r.updates
                && updatedAt == r.updatedAt
                && eventTime == r.eventTime;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind.hashCode() + id.hashCode()) + Arrays.hashCode(factors);
    }

    @Override
    public String toString() {
        return "ModelRow[" + key() + ", bias=" + bias + ", factors=" + Arrays.toString(factors) + ", version=" + version
                + "]";
    }
}
