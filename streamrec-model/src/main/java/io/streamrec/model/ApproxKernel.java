package io.streamrec.model;

import java.lang.invoke.MethodHandles;

/**
 * The first stage of the exact top-k scan: which rows of a group of {@link QuantizedRows#GROUP} may score above
 * the worst item kept, judged from the 8-bit copy and {@link QuantizedRows}' bound.
 */
interface ApproxKernel {
    /**
     * For rows {@code first + j}, {@code j < GROUP} ({@code first} a multiple of {@link QuantizedRows#GROUP}):
     * {@code A = fl(sum_f query[f] * code(f))} in float (any order), {@code bound = scale * A + queryNorm * error}
     * and {@code upper = (base + bias) + bound}, in double in that order (the products are of floats, so exact).
     * Bit {@code j} of the result is set unless {@code upper < worst}; a NaN is set. Rows past the table's size may
     * come back set. {@code approx} is scratch of at least {@code GROUP} floats.
     */
    long candidates(
            float[] query,
            int k,
            QuantizedRows rows,
            float[] bias,
            double base,
            float queryNorm,
            double worst,
            int first,
            float[] approx);

    /** What ran, for benchmarks. */
    String name();

    /**
     * The SIMD kernel of {@code jdk.incubator.vector} when that module is in the boot layer (the JVM was started
     * with {@code --add-modules jdk.incubator.vector}) and the CPU has 256-bit vectors; otherwise null, and the
     * store scores every item in float (a scalar loop over bytes is slower than one over floats on Java 17's C2,
     * which does not vectorize byte-to-float conversion). {@code -Dstreamrec.topk.kernel=float} forces the float
     * scan.
     */
    static ApproxKernel best() {
        if ("float".equals(System.getProperty("streamrec.topk.kernel"))) {
            return null;
        }
        return VectorKernels.load(MethodHandles.lookup(), "io.streamrec.model.VectorApproxKernel", ApproxKernel.class);
    }

    /**
     * The candidate bits from approximate dots already in {@code approx}, one row at a time: the filter's
     * definition, which the SIMD kernel computes bitwise the same.
     */
    static long candidateBits(
            float[] approx, QuantizedRows rows, float[] bias, double base, float queryNorm, double worst, int first) {
        float[] scales = rows.scales();
        float[] errors = rows.errors();
        long bits = 0;
        for (int j = 0; j < QuantizedRows.GROUP; j++) {
            int i = first + j;
            double bound = (double) scales[i] * approx[j] + (double) queryNorm * errors[i];
            if (!((base + bias[i]) + bound < worst)) {
                bits |= 1L << j;
            }
        }
        return bits;
    }

    /** The same in plain Java, each row's dot summed in factor order; a reference for tests. */
    final class Scalar implements ApproxKernel {
        @Override
        public long candidates(
                float[] query,
                int k,
                QuantizedRows rows,
                float[] bias,
                double base,
                float queryNorm,
                double worst,
                int first,
                float[] approx) {
            byte[] codes = rows.codes();
            for (int j = 0; j < QuantizedRows.GROUP; j++) {
                int at = first * k + j;
                float acc = 0f;
                for (int f = 0; f < k; f++) {
                    acc += query[f] * codes[at + f * QuantizedRows.GROUP];
                }
                approx[j] = acc;
            }
            return candidateBits(approx, rows, bias, base, queryNorm, worst, first);
        }

        @Override
        public String name() {
            return "int8-scalar";
        }
    }
}
