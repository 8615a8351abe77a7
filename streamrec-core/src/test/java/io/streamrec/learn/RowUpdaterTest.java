package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamrec.model.ModelKind;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The AdaGrad paths of {@link RowUpdater} against the row-by-row formulas and {@link Optimizer#step}. */
class RowUpdaterTest {

    private static final int FACTORS = 32;

    @Test
    void batchedAdaGradShouldEqualRowByRowRegularizeClipAndStepBitForBit() {
        check(new Optimizer.AdaGrad(Optimizer.AdaGrad.DEFAULT_EPSILON), 0f);
    }

    @Test
    void fusedRowAdaGradShouldEqualRegularizeClipAndStepUpToFloatRounding() {
        // The fused path scales the accumulators and the rate by the clip factor instead of the gradient.
        check(new Optimizer.RowAdaGrad(Optimizer.AdaGrad.DEFAULT_EPSILON), 1e-6f);
    }

    private static void check(Optimizer optimizer, float tolerance) {
        Hyperparameters h = Hyperparameters.defaults(ModelKind.BIASED_MF)
                .withFactors(FACTORS)
                .withRegularization(0.03, 0.07)
                .withClipNorm(1.5)
                .withOptimizer(optimizer);
        int width = h.width();
        int stateSize = optimizer.stateSize(width);
        Model model = new Model(h);
        FactorTable table = model.users();
        SplittableRandom rnd = new SplittableRandom(5);
        for (int r = 0; r < 300; r++) {
            table.getOrCreate("u" + r);
        }
        float[] state = table.state();
        for (int k = 0; k < 300 * stateSize; k++) {
            state[k] = (float) rnd.nextDouble(0, 3);
        }
        float[] expectedParams = table.params().clone();
        float[] expectedState = state.clone();
        GradientAccumulator acc = new GradientAccumulator(width);
        float[] other = new float[width];
        // Rows in scrambled order, some touched several times, gradients large enough that some rows get clipped.
        int[] touches = new int[300];
        for (int e = 0; e < 500; e++) {
            int row = (int) ((e * 7919L) % 211);
            for (int f = 0; f < width; f++) {
                other[f] = (float) rnd.nextGaussian();
            }
            float g = (float) rnd.nextGaussian() * (e % 5 == 0 ? 3f : 0.2f);
            acc.addEvent(row, g, other, 0, e);
            touches[row]++;
        }
        float[] grads = acc.gradients().clone();
        float lr = 0.3f;
        float regB = (float) h.regBias();
        float regF = (float) h.regFactor();
        int clipped = 0;
        for (int s = 0; s < acc.size(); s++) {
            int row = acc.row(s);
            int n = acc.count(s);
            int p = row * width;
            int g = s * width;
            grads[g] += n * regB * expectedParams[p];
            for (int f = 1; f < width; f++) {
                grads[g + f] += n * regF * expectedParams[p + f];
            }
            double sq = 0;
            for (int f = 0; f < width; f++) {
                sq += (double) grads[g + f] * grads[g + f];
            }
            if (Math.sqrt(sq) > h.clipNorm()) {
                clipped++;
            }
            clipAsRowUpdater(grads, g, width, h.clipNorm());
            h.optimizer().step(expectedParams, p, expectedState, row * stateSize, grads, g, width, lr);
        }

        new RowUpdater(h).apply(table, acc, lr);

        assertEquals(0, acc.size(), "the accumulator is cleared");
        assertArrayEquals(expectedParams, table.params(), tolerance);
        assertArrayEquals(expectedState, table.state(), tolerance * 10);
        assertEquals(true, clipped > 0 && clipped < 211, "some but not all rows were clipped: " + clipped);
        for (int r = 0; r < 300; r++) {
            assertEquals(touches[r] > 0 ? 1 : 0, table.version(r), "version of row " + r);
            assertEquals(touches[r], table.updates(r), "updates of row " + r);
        }
    }

    /** RowUpdater's clipping: squared norm in four float lanes, then one float scale. */
    private static void clipAsRowUpdater(float[] grad, int g, int width, double max) {
        float[] lanes = new float[4];
        int f = 0;
        for (; f + 3 < width; f += 4) {
            for (int l = 0; l < 4; l++) {
                lanes[l] += grad[g + f + l] * grad[g + f + l];
            }
        }
        for (; f < width; f++) {
            lanes[0] += grad[g + f] * grad[g + f];
        }
        double sq = (double) lanes[0] + lanes[1] + lanes[2] + lanes[3];
        if (sq > max * max) {
            float scale = (float) (max / Math.sqrt(sq));
            for (int j = 0; j < width; j++) {
                grad[g + j] *= scale;
            }
        }
    }
}
