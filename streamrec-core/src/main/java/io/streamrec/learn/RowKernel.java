package io.streamrec.learn;

import io.streamrec.model.VectorKernels;
import java.lang.invoke.MethodHandles;

/**
 * The two loops over the factors of one user row and one item row in {@link BlockSgdTrainer}'s step: the dot
 * product with both squared norms, and the update of both rows. Implementations may sum in any order, so results
 * differ between kernels in the last bits; with one kernel and one thread a run is reproducible.
 */
interface RowKernel {
    /** {@code out[0] = a.b}, {@code out[1] = |a|^2}, {@code out[2] = |b|^2} over {@code n} floats from the offsets. */
    void dotAndNorms(float[] a, int ai, float[] b, int bi, int n, float[] out);

    /** {@code a <- keepA a - stepA b} and {@code b <- keepB b - stepB a} (with the old {@code a}), over {@code n}. */
    void step(float[] a, int ai, float[] b, int bi, int n, float keepA, float stepA, float keepB, float stepB);

    /**
     * This kernel, after enough calls on rows of {@code n} factors for the JIT to queue its compilation: until C2 has
     * compiled them, the Vector API's operations run as objects, tens of times slower than plain loops, so the
     * compilation should start early and overlap with the caller's other set-up.
     */
    default RowKernel warmedUp(int n) {
        float[] a = new float[n];
        float[] b = new float[n];
        float[] sums = new float[3];
        java.util.Arrays.fill(a, 0.01f);
        java.util.Arrays.fill(b, 0.01f);
        for (int i = 0; i < 20_000; i++) {
            dotAndNorms(a, 0, b, 0, n, sums);
            step(a, 0, b, 0, n, 1f, 0f, 1f, 0f);
        }
        return this;
    }

    /** What runs, for {@code pretrain}'s report. */
    String name();

    /**
     * The SIMD kernel of {@code jdk.incubator.vector} when that module is in the boot layer (the JVM was started with
     * {@code --add-modules jdk.incubator.vector}) and the CPU has 256-bit vectors; otherwise {@link Scalar}. Java 17's
     * C2 does not vectorize a float sum (its order is fixed by the language), so the dot product runs scalar without
     * the module. {@code -Dstreamrec.sgd.kernel=scalar} forces the scalar loops.
     */
    static RowKernel best() {
        RowKernel simd = "scalar".equals(System.getProperty("streamrec.sgd.kernel"))
                ? null
                : VectorKernels.load(MethodHandles.lookup(), "io.streamrec.learn.VectorRowKernel", RowKernel.class);
        return simd != null ? simd : new Scalar();
    }

    /** Plain loops, the sums in two independent chains each so that they do not wait on one another. */
    final class Scalar implements RowKernel {
        @Override
        public void dotAndNorms(float[] a, int ai, float[] b, int bi, int n, float[] out) {
            float d0 = 0f;
            float d1 = 0f;
            float aa0 = 0f;
            float aa1 = 0f;
            float bb0 = 0f;
            float bb1 = 0f;
            int f = 0;
            for (; f + 1 < n; f += 2) {
                float pa = a[ai + f];
                float qa = b[bi + f];
                float pb = a[ai + f + 1];
                float qb = b[bi + f + 1];
                d0 += pa * qa;
                d1 += pb * qb;
                aa0 += pa * pa;
                aa1 += pb * pb;
                bb0 += qa * qa;
                bb1 += qb * qb;
            }
            for (; f < n; f++) {
                float pa = a[ai + f];
                float qa = b[bi + f];
                d0 += pa * qa;
                aa0 += pa * pa;
                bb0 += qa * qa;
            }
            out[0] = d0 + d1;
            out[1] = aa0 + aa1;
            out[2] = bb0 + bb1;
        }

        @Override
        public void step(
                float[] a, int ai, float[] b, int bi, int n, float keepA, float stepA, float keepB, float stepB) {
            for (int f = 0; f < n; f++) {
                float pf = a[ai + f];
                float qf = b[bi + f];
                a[ai + f] = keepA * pf - stepA * qf;
                b[bi + f] = keepB * qf - stepB * pf;
            }
        }

        @Override
        public String name() {
            return "scalar";
        }
    }
}
