package io.streamrec.learn;

import io.streamrec.model.RowKind;
import java.util.Arrays;

/**
 * Turns a batch's accumulated gradients into one optimizer step per touched row: adds the L2 penalty (once per
 * event that touched the row, so that a batch of one equals per-event SGD), clips the row's gradient norm, then
 * lets the optimizer step.
 */
public final class RowUpdater {
    private final Hyperparameters hyper;
    private final Optimizer optimizer;
    // Scratch for the AdaGrad path: the batch's touched rows gathered contiguously (slot s at s * width).
    private float[] rowParams = new float[0];
    private float[] rowState = new float[0];
    private float[] rowReg = new float[0];

    public RowUpdater(Hyperparameters hyper) {
        this.hyper = hyper;
        this.optimizer = hyper.optimizer();
    }

    /** Applies every touched row's step to {@code table}, then clears the accumulator. */
    public void apply(FactorTable table, GradientAccumulator acc, float learningRate) {
        if (optimizer instanceof Optimizer.AdaGrad adaGrad && table.stateSize() == table.width()) {
            applyAdaGrad(table, acc, learningRate, adaGrad.epsilon());
            return;
        }
        if (optimizer instanceof Optimizer.RowAdaGrad rowAdaGrad && (table.stateSize() == 2 || hyper.userScale())) {
            applyRowAdaGrad(table, acc, learningRate, rowAdaGrad.epsilon());
            return;
        }
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
     * AdaGrad, computed exactly as {@link Optimizer.AdaGrad#step} after the same regularization and clipping, but
     * in passes over the whole batch instead of row by row: the touched rows' parameters and state are gathered
     * into contiguous scratch arrays, the arithmetic runs as long counted loops over all of them (which C2 turns
     * into vector code; a row of 33 floats is too short for its vectorized main loop, so a per-row loop ran the
     * square roots and divisions one at a time), and the rows are scattered back. Each value goes through the
     * same float operations in the same order, so the results are bit-for-bit those of the per-row path.
     */
    private void applyAdaGrad(FactorTable table, GradientAccumulator acc, float lr, float epsilon) {
        int width = table.width();
        int slots = acc.size();
        int total = slots * width;
        float[] params = table.params();
        float[] state = table.state();
        float[] grad = acc.gradients();
        if (rowParams.length < total) {
            int cap = Math.max(total, rowParams.length * 2);
            rowParams = new float[cap];
            rowState = new float[cap];
            rowReg = new float[cap];
        }
        float[] ps = rowParams;
        float[] ss = rowState;
        float[] rs = rowReg;
        float regBias = (float) hyper.regBias();
        float regFactor = (float) hyper.regFactor();
        for (int s = 0; s < slots; s++) {
            int p = acc.row(s) * width;
            int g = s * width;
            int n = acc.count(s);
            System.arraycopy(params, p, ps, g, width);
            System.arraycopy(state, p, ss, g, width);
            rs[g] = n * regBias;
            Arrays.fill(rs, g + 1, g + width, n * regFactor);
        }
        // L2 penalty, once per event that touched the row. In these long loops every array takes the same index:
        // C2 (JDK 17) does not vectorize float arrays indexed with different offsets (they might be one array),
        // which is also why the gathers are System.arraycopy rather than loops.
        for (int k = 0; k < total; k++) {
            grad[k] += rs[k] * ps[k];
        }
        double clip = hyper.clipNorm();
        if (clip > 0) {
            for (int s = 0; s < slots; s++) {
                clip(grad, s * width, width, clip);
            }
        }
        for (int k = 0; k < total; k++) {
            float gk = grad[k];
            float a = ss[k] + gk * gk;
            ss[k] = a;
            ps[k] -= lr * gk / ((float) Math.sqrt(a) + epsilon);
        }
        for (int s = 0; s < slots; s++) {
            int row = acc.row(s);
            int p = row * width;
            int g = s * width;
            System.arraycopy(ps, g, params, p, width);
            System.arraycopy(ss, g, state, p, width);
            table.touched(row, acc.count(s));
        }
        acc.clear();
    }

    /**
     * Row-wise AdaGrad fused with the L2 penalty and clipping: one pass adds the penalty and sums the squared factor
     * gradient (in four float lanes, as {@link #clip} does), one steps the factors; the clip factor {@code c} scales
     * the accumulators' increments ({@code c^2}) and the rate ({@code c}) instead of the gradient. The arithmetic of
     * penalty, clip and {@link Optimizer.RowAdaGrad#step}, up to float rounding, in two passes over a row instead of
     * four, one of them a serial chain of adds.
     *
     * <p>With the user scale ({@link Hyperparameters#userScale}) a row's last coordinate is not a factor. In a user
     * row it is c_u, stepped with an accumulator of its own (the row's third state float). In an item row it is a
     * copy of the bias b_i: its gradient (g c_u) joins the bias's, since b_i enters the score as (1 + c_u) b_i, and
     * it is set to the stepped bias.
     */
    private void applyRowAdaGrad(FactorTable table, GradientAccumulator acc, float lr, float epsilon) {
        int width = table.width();
        float[] params = table.params();
        float[] state = table.state();
        float[] grad = acc.gradients();
        float regBias = (float) hyper.regBias();
        float regFactor = (float) hyper.regFactor();
        double clip = hyper.clipNorm();
        boolean scaled = hyper.userScale();
        boolean user = table.kind() == RowKind.USER;
        int stateSize = table.stateSize();
        int last = width - 1;
        int end = scaled ? last : width; // the factors are [1, end)
        float perFactor = 1f / (end - 1);
        for (int s = 0; s < acc.size(); s++) {
            int row = acc.row(s);
            int p = row * width;
            int g = s * width;
            int n = acc.count(s);
            float rf = n * regFactor;
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            int f = 1;
            for (; f + 3 < end; f += 4) {
                float a = grad[g + f] + rf * params[p + f];
                float b = grad[g + f + 1] + rf * params[p + f + 1];
                float c = grad[g + f + 2] + rf * params[p + f + 2];
                float d = grad[g + f + 3] + rf * params[p + f + 3];
                grad[g + f] = a;
                grad[g + f + 1] = b;
                grad[g + f + 2] = c;
                grad[g + f + 3] = d;
                s0 += a * a;
                s1 += b * b;
                s2 += c * c;
                s3 += d * d;
            }
            for (; f < end; f++) {
                float a = grad[g + f] + rf * params[p + f];
                grad[g + f] = a;
                s0 += a * a;
            }
            float factorSq = (s0 + s1) + (s2 + s3);
            float g0 = grad[g] + n * regBias * params[p];
            float gc = 0f; // c_u's gradient, in a user row with the user scale
            if (scaled && user) {
                gc = grad[g + last] + rf * params[p + last];
            } else if (scaled) {
                g0 += grad[g + last];
            }
            double sq = (double) g0 * g0 + factorSq + (double) gc * gc;
            float scale = clip > 0 && sq > clip * clip ? (float) (clip / Math.sqrt(sq)) : 1f;
            int st = stateSize * row;
            float bias = state[st] + (scale * g0) * (scale * g0);
            state[st] = bias;
            params[p] -= lr * (scale * g0) / ((float) Math.sqrt(bias) + epsilon);
            float factors = state[st + 1] + scale * scale * factorSq * perFactor;
            state[st + 1] = factors;
            float rate = lr * scale / ((float) Math.sqrt(factors) + epsilon);
            for (int h = 1; h < end; h++) {
                params[p + h] -= rate * grad[g + h];
            }
            if (scaled && user) {
                float c = state[st + 2] + (scale * gc) * (scale * gc);
                state[st + 2] = c;
                params[p + last] -= lr * (scale * gc) / ((float) Math.sqrt(c) + epsilon);
            } else if (scaled) {
                params[p + last] = params[p];
            }
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
