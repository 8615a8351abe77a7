package io.streamrec.stream;

import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;

/**
 * What a published row carries beyond the model's own parameters: with {@code model.neighbourhood}, the residual
 * neighbourhood's coordinates ({@code ResidualNeighbourhood#SERVED_TAIL}), so that a client's prediction (the biases
 * plus the dot product of the factor arrays) includes the layer. The trainer's own readers leave them out
 * ({@link TrainerConfig#publishedWidth}).
 */
@FunctionalInterface
interface RowTail {
    /** No tail: rows are published as the model holds them. */
    RowTail NONE = null;

    /** Writes the tail of row {@code id} into {@code out} from {@code off}. */
    void write(String id, float[] out, int off);

    /**
     * The {@code model-updates} value of a row: its {@code width} parameters from {@code params[p]}, followed by
     * {@code tail}'s {@code tailLength} coordinates unless {@code tail} is null.
     */
    static byte[] row(
            RowKind kind,
            String id,
            float[] params,
            int p,
            int width,
            RowTail tail,
            int tailLength,
            long version,
            long updates,
            long now) {
        if (tail == null) {
            return ModelUpdates.row(kind, id, params, p, width, version, updates, now);
        }
        float[] served = new float[width + tailLength];
        System.arraycopy(params, p, served, 0, width);
        tail.write(id, served, width);
        return ModelUpdates.row(kind, id, served, 0, served.length, version, updates, now);
    }
}
