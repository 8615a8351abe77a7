package io.streamrec.stream;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The publication gate's check on the size of rows (docs/gate.md, "Exploded rows"). A changed row has exploded when
 * its Euclidean norm (bias and factors) exceeds {@code factor} times the larger of two norms: the largest among the
 * rows this task has published (the accepted model's), and the square root of the label range.
 *
 * <p>A learning rate set far too high grows rows by orders of magnitude within one publication interval while they
 * stay finite, and the window test only sees it once the predictions it scores have gone wrong. A healthy model's
 * rows grow slowly, and each publication raises the bound with them. The square root of the label range is the
 * norm two rows need for their dot product to span the labels, so a fresh model (random rows of norm about 0.3) is
 * not judged against its initial values.
 *
 * <p>State: the largest accepted norm, saved in the task-state store under key {@code norm-bound} when a publication
 * raised it ({@link #saveTo}), and read back by a restarted task ({@link #restoreFrom}): without it the bound would
 * start again from the label range, and a model whose accepted rows are far larger than that would find its own
 * rows exploded after every restart.
 */
final class RowNormCheck {
    static final String STATE_KEY = "norm-bound";

    private final double factor;
    private final double floor;
    private double largestAccepted;
    private double saved;

    /** {@code factor}: {@code gate.norm.factor}, above 1. */
    RowNormCheck(double factor, float minLabel, float maxLabel) {
        if (!(factor > 1)) {
            throw new IllegalArgumentException("factor must be > 1, got " + factor);
        }
        this.factor = factor;
        this.floor = Math.sqrt((double) maxLabel - minLabel);
    }

    /** Whether the finite row at {@code offset} has exploded (a non-finite row is the caller's other check). */
    boolean exploded(float[] params, int offset, int width) {
        return norm(params, offset, width) > bound();
    }

    /** The row at {@code offset} was published: its norm joins the accepted model's. */
    void accepted(float[] params, int offset, int width) {
        double n = norm(params, offset, width);
        if (Double.isFinite(n)) {
            largestAccepted = Math.max(largestAccepted, n);
        }
    }

    /** Reads the largest accepted norm a task saved before a restart, if any. */
    void restoreFrom(KeyValueStore<String, byte[]> store) {
        byte[] value = store.get(STATE_KEY);
        if (value != null) {
            largestAccepted = Math.max(largestAccepted, Double.parseDouble(new String(value, StandardCharsets.UTF_8)));
            saved = largestAccepted;
        }
    }

    /** Saves the largest accepted norm when it grew since the last save: at most one small write per publication. */
    void saveTo(KeyValueStore<String, byte[]> store) {
        if (largestAccepted > saved) {
            store.put(STATE_KEY, Double.toString(largestAccepted).getBytes(StandardCharsets.UTF_8));
            saved = largestAccepted;
        }
    }

    /** The norm above which a row has exploded now. */
    double bound() {
        return factor * Math.max(largestAccepted, floor);
    }

    static double norm(float[] params, int offset, int width) {
        double s = 0;
        for (int k = offset; k < offset + width; k++) {
            s += (double) params[k] * params[k];
        }
        return Math.sqrt(s);
    }
}
