package io.streamrec.model;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ApproxKernel} on the incubating Vector API (JEP 414): per group of {@link QuantizedRows#GROUP} rows, four
 * accumulators of eight float lanes each, one factor at a time: load eight codes, widen them to floats, multiply by
 * the broadcast query factor, add. No horizontal sums, and the group's codes are read in order. The species are
 * constants, as C2 needs to compile the calls to vector instructions; 256 bits rather than the preferred width
 * because a wider one was no faster here (docs/benchmarks.md). Multiply then add, not {@code fma}, which the API
 * emulates slowly on CPUs without it; each lane sums in factor order, so the results are bitwise those of
 * {@link ApproxKernel.Scalar}. Compiled apart from the rest of the module (see its pom) and loaded by name.
 */
final class VectorApproxKernel implements ApproxKernel {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_64;
    private static final int LANES = 8;

    private VectorApproxKernel() {}

    /** The kernel, or null when the CPU's vectors are narrower than 256 bits (the API would emulate them). */
    static ApproxKernel createIfFast() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256 ? new VectorApproxKernel() : null;
    }

    @Override
    public void dots(float[] query, int k, byte[] codes, int start, int end, float[] out) {
        int group = QuantizedRows.GROUP;
        for (int first = start; first < end; first += group) {
            int o = first * k;
            FloatVector a0 = FloatVector.zero(FLOATS);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int f = 0; f < k; f++, o += group) {
                FloatVector q = FloatVector.broadcast(FLOATS, query[f]);
                a0 = a0.add(widen(codes, o).mul(q));
                a1 = a1.add(widen(codes, o + LANES).mul(q));
                a2 = a2.add(widen(codes, o + 2 * LANES).mul(q));
                a3 = a3.add(widen(codes, o + 3 * LANES).mul(q));
            }
            int d = first - start;
            a0.intoArray(out, d);
            a1.intoArray(out, d + LANES);
            a2.intoArray(out, d + 2 * LANES);
            a3.intoArray(out, d + 3 * LANES);
        }
    }

    private static FloatVector widen(byte[] codes, int offset) {
        return (FloatVector) ByteVector.fromArray(BYTES, codes, offset).convertShape(VectorOperators.B2F, FLOATS, 0);
    }

    @Override
    public String name() {
        return "int8-vector-256";
    }
}
