package io.streamrec.learn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowKernel} on the incubating Vector API (JEP 414): eight float lanes at a time, a scalar tail for factor
 * counts that are not a multiple of eight. The sums end in one horizontal add per event and quantity. Multiply then
 * add rather than {@code fma}, which the API emulates slowly on CPUs without it. The species is a constant, as C2
 * needs to compile the calls to vector instructions; for the same reason no call has a loop's accumulator as its
 * receiver ({@code x.add(acc)}, {@code zero.add(acc)} before the reduction), which C2 would type from the JVM-wide
 * profile of the API's methods and, when other code ran them on other shapes, keep as heap objects (see
 * streamrec-model's {@code VectorApproxKernel}). Compiled apart from the rest of the module (see its pom) and loaded
 * by name.
 */
final class VectorRowKernel implements RowKernel {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final int LANES = 8;

    private VectorRowKernel() {}

    /** The kernel, or null when the CPU's vectors are narrower than 256 bits (the API would emulate them). */
    static RowKernel createIfFast() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256 ? new VectorRowKernel() : null;
    }

    @Override
    public void dotAndNorms(float[] a, int ai, float[] b, int bi, int n, float[] out) {
        FloatVector d = FloatVector.zero(FLOATS);
        FloatVector aa = d;
        FloatVector bb = d;
        int f = 0;
        for (; f + LANES <= n; f += LANES) {
            FloatVector x = FloatVector.fromArray(FLOATS, a, ai + f);
            FloatVector y = FloatVector.fromArray(FLOATS, b, bi + f);
            d = x.mul(y).add(d);
            aa = x.mul(x).add(aa);
            bb = y.mul(y).add(bb);
        }
        FloatVector zero = FloatVector.zero(FLOATS);
        float dot = zero.add(d).reduceLanes(VectorOperators.ADD);
        float na = zero.add(aa).reduceLanes(VectorOperators.ADD);
        float nb = zero.add(bb).reduceLanes(VectorOperators.ADD);
        for (; f < n; f++) {
            float x = a[ai + f];
            float y = b[bi + f];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        out[0] = dot;
        out[1] = na;
        out[2] = nb;
    }

    @Override
    public void step(float[] a, int ai, float[] b, int bi, int n, float keepA, float stepA, float keepB, float stepB) {
        int f = 0;
        for (; f + LANES <= n; f += LANES) {
            FloatVector x = FloatVector.fromArray(FLOATS, a, ai + f);
            FloatVector y = FloatVector.fromArray(FLOATS, b, bi + f);
            x.mul(keepA).sub(y.mul(stepA)).intoArray(a, ai + f);
            y.mul(keepB).sub(x.mul(stepB)).intoArray(b, bi + f);
        }
        for (; f < n; f++) {
            float x = a[ai + f];
            float y = b[bi + f];
            a[ai + f] = keepA * x - stepA * y;
            b[bi + f] = keepB * y - stepB * x;
        }
    }

    @Override
    public String name() {
        return "vector-256";
    }
}
