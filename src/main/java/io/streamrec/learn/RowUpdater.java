package io.streamrec.learn;

/**
 * Turns a batch's accumulated gradients into one optimizer step per touched row: adds the L2 penalty (once per
 * event that touched the row, so that a batch of one equals per-event SGD), clips the row's gradient norm, then
 * lets the optimizer step.
 */
public final class RowUpdater {
    private final Hyperparameters hyper;
    private final Optimizer optimizer;

    public RowUpdater(Hyperparameters hyper) {
        this.hyper = hyper;
        this.optimizer = hyper.optimizer();
    }

    /** Applies every touched row's step to {@code table}, then clears the accumulator. */
    public void apply(FactorTable table, GradientAccumulator acc, float learningRate) {
        int width = table.width();
        int stateSize = table.stateSize();
        float[] params = table.params();
        float[] state = table.state();
        float[] grad = acc.gradients();
        float regBias = (float) hyper.regBias();
        float regFactor = (float) hyper.regFactor();
        double clip = hyper.clipNorm();
        for (int s = 0; s < acc.size(); s++) {
            int row = acc.row(s);
            int p = row * width;
            int g = s * width;
            int n = acc.count(s);
            grad[g] += n * regBias * params[p];
            float rf = n * regFactor;
            for (int f = 1; f < width; f++) {
                grad[g + f] += rf * params[p + f];
            }
            if (clip > 0) {
                clip(grad, g, width, clip);
            }
            optimizer.step(params, p, state, row * stateSize, grad, g, width, learningRate);
            table.touched(row, n);
        }
        acc.clear();
    }

    /**
     * Rescales a row's gradient to at most {@code max} in L2 norm. The squared norm is summed in four float lanes,
     * which keeps the hot loop free of a serial floating-point dependency chain (the order does not matter here).
     */
    private static void clip(float[] grad, int g, int width, double max) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int f = 0;
        for (; f + 3 < width; f += 4) {
            float a = grad[g + f];
            float b = grad[g + f + 1];
            float c = grad[g + f + 2];
            float d = grad[g + f + 3];
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }
        for (; f < width; f++) {
            s0 += grad[g + f] * grad[g + f];
        }
        double sq = (double) s0 + s1 + s2 + s3;
        if (sq > max * max) {
            float scale = (float) (max / Math.sqrt(sq));
            for (int j = 0; j < width; j++) {
                grad[g + j] *= scale;
            }
        }
    }
}
