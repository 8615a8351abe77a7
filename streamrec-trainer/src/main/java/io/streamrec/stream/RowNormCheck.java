package io.streamrec.stream;

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
 * <p>State: the largest accepted norm, in memory only. After a restart the bound starts again from the label range
 * and rises as rows are published.
 */
final class RowNormCheck {
    private final double factor;
    private final double floor;
    private double largestAccepted;

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
