package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The SIMD kernel computes what the plain loops do, for every factor count and row offset. */
class RowKernelTest {
    @Test
    void shouldRunTheVectorKernelUnderTests() {
        // The build starts test JVMs with --add-modules jdk.incubator.vector, so the SIMD kernel is the one tested.
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        assertEquals("vector-256", RowKernel.best().name());
    }

    @Test
    void shouldMatchThePlainLoopsForEveryLengthAndOffset() {
        RowKernel vector = RowKernel.best();
        RowKernel scalar = new RowKernel.Scalar();
        Random r = new Random(3);
        for (int n = 1; n <= 70; n++) {
            for (int offset = 0; offset < 3; offset++) {
                float[] a = random(r, 2 * n + 3);
                float[] b = random(r, 2 * n + 3);
                int ai = offset + 1;
                int bi = n + offset;
                float[] want = new float[3];
                float[] got = new float[3];
                scalar.dotAndNorms(a, ai, b, bi, n, want);
                vector.dotAndNorms(a, ai, b, bi, n, got);
                for (int k = 0; k < 3; k++) {
                    assertEquals(want[k], got[k], 1e-5f * (1 + Math.abs(want[k])), "n=" + n + " sum " + k);
                }
                float[] a2 = a.clone();
                float[] b2 = b.clone();
                scalar.step(a, ai, b, bi, n, 0.99f, 0.03f, 0.98f, -0.02f);
                vector.step(a2, ai, b2, bi, n, 0.99f, 0.03f, 0.98f, -0.02f);
                for (int f = 0; f < a.length; f++) {
                    // Element-wise: no sum, so the same operations in the same order give the same bits.
                    assertEquals(a[f], a2[f], "n=" + n + " a[" + f + "]");
                    assertEquals(b[f], b2[f], "n=" + n + " b[" + f + "]");
                }
            }
        }
    }

    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
