package io.streamrec.learn;

import io.streamrec.model.RowKind;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Creates the starting row of a new user or item from a seed and the id alone, so that every instance of a
 * distributed deployment creates the same row for the same id without coordination (and a replay creates the
 * same model). The id is hashed with 64-bit FNV-1a over its UTF-8 bytes, mixed with the seed and the row kind,
 * and drives a {@link SplittableRandom}; biases start at 0 and factors are Gaussian with the configured deviation.
 */
public final class RowInitializer {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final long seed;
    private final float std;
    private final int zeroTail;

    public RowInitializer(long seed, double std) {
        this(seed, std, 0);
    }

    /**
     * @param zeroTail trailing coordinates that start at 0, as the bias does (the user scale's, see
     *                 {@link Hyperparameters#userScale}); the factors before them are drawn as without them
     */
    public RowInitializer(long seed, double std, int zeroTail) {
        this.seed = seed;
        this.std = (float) std;
        this.zeroTail = zeroTail;
    }

    /** Writes the initial row for {@code id} of {@code kind} into {@code row[offset .. offset+width)}. */
    public void init(RowKind kind, String id, float[] row, int offset, int width) {
        SplittableRandom rnd = new SplittableRandom(seedFor(kind, id));
        row[offset] = 0f;
        int drawn = width - zeroTail;
        for (int j = 1; j < drawn; j++) {
            row[offset + j] = (float) (rnd.nextGaussian() * std);
        }
        for (int j = Math.max(drawn, 1); j < width; j++) {
            row[offset + j] = 0f;
        }
    }

    long seedFor(RowKind kind, String id) {
        long h = FNV_OFFSET ^ kind.ordinal();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= FNV_PRIME;
        }
        return h ^ (seed * 0x9E3779B97F4A7C15L);
    }
}
