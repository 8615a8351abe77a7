package io.streamrec.model;

/**
 * The first stage of the exact top-k scan: approximate dot products of a query with the 8-bit rows of
 * {@link QuantizedRows}. Implementations may sum in any order: {@link QuantizedRows}' bound holds for all.
 */
interface ApproxKernel {
    /**
     * {@code out[i - start] = sum_f query[f] * code(i, f)} in float for rows {@code [start, end)}, where
     * {@code start} is a multiple of {@link QuantizedRows#GROUP}; may also write the rest of the last group, so
     * {@code out} holds {@code end - start} rounded up to a whole group.
     */
    void dots(float[] query, int k, byte[] codes, int start, int end, float[] out);

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
        if ("float".equals(System.getProperty("streamrec.topk.kernel"))
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            // By name, so that no class of the incubating module is loaded when the module is absent.
            Object kernel = Class.forName("io.streamrec.model.VectorApproxKernel")
                    .getDeclaredMethod("createIfFast")
                    .invoke(null);
            return (ApproxKernel) kernel;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** The same sums in plain Java, each row accumulated in factor order; a reference for tests. */
    final class Scalar implements ApproxKernel {
        @Override
        public void dots(float[] query, int k, byte[] codes, int start, int end, float[] out) {
            for (int i = start; i < end; i++) {
                int at = (i / QuantizedRows.GROUP) * QuantizedRows.GROUP * k + i % QuantizedRows.GROUP;
                float acc = 0f;
                for (int f = 0; f < k; f++) {
                    acc += query[f] * codes[at + f * QuantizedRows.GROUP];
                }
                out[i - start] = acc;
            }
        }

        @Override
        public String name() {
            return "int8-scalar";
        }
    }
}
