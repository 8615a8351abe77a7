package io.streamrec.model;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ApproxKernel} on the incubating Vector API (JEP 414). The dots: four accumulators of 8 float lanes (16 on
 * CPUs with 512-bit vectors) over a group's rows, one factor at a time (load the codes, widen them to floats,
 * multiply by the broadcast query factor, add), so no horizontal sums, and the group's codes are read in order.
 * Multiply then add, not {@code fma}, which the API emulates slowly on CPUs without it; each lane sums in factor
 * order, so the dots are bitwise those of {@link ApproxKernel.Scalar}. The filter: the bound in four double lanes
 * at a time, the same operations in the same order as {@link ApproxKernel#candidateBits}, which only runs for a
 * group with a candidate. The species are constants (static finals), as C2 needs to compile the calls to vector
 * instructions. For the same reason no call has a loop's accumulator as its receiver ({@code x.add(acc)}, and
 * {@code zero.add(acc)} to store it): C2 types such a variable by its declared class only, falls back on the
 * JVM-wide type profile of the API's methods, and when other code ran them on another shape (the API's own
 * fallbacks do, early in a run) it keeps the vectors as heap objects, several times slower. Compiled apart from
 * the rest of the module (see its pom) and loaded by name.
 */
final class VectorApproxKernel implements ApproxKernel {
    private static final boolean WIDE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    private static final VectorSpecies<Float> FLOATS = WIDE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> BYTES = WIDE ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    private static final VectorSpecies<Float> HALF_FLOATS = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_256;
    private static final int LANES = FLOATS.length();
    private static final int DOUBLE_LANES = 4;

    private VectorApproxKernel() {}

    /** The kernel, or null when the CPU's vectors are narrower than 256 bits (the API would emulate them). */
    static ApproxKernel createIfFast() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256 ? new VectorApproxKernel() : null;
    }

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
        int group = QuantizedRows.GROUP;
        // Four accumulators of LANES rows each: one pass over the group with 512-bit vectors, two with 256.
        for (int part = 0; part < group; part += 4 * LANES) {
            int o = first * k + part;
            FloatVector a0 = FloatVector.zero(FLOATS);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int f = 0; f < k; f++, o += group) {
                FloatVector q = FloatVector.broadcast(FLOATS, query[f]);
                a0 = widen(codes, o).mul(q).add(a0);
                a1 = widen(codes, o + LANES).mul(q).add(a1);
                a2 = widen(codes, o + 2 * LANES).mul(q).add(a2);
                a3 = widen(codes, o + 3 * LANES).mul(q).add(a3);
            }
            FloatVector zero = FloatVector.zero(FLOATS);
            zero.add(a0).intoArray(approx, part);
            zero.add(a1).intoArray(approx, part + LANES);
            zero.add(a2).intoArray(approx, part + 2 * LANES);
            zero.add(a3).intoArray(approx, part + 3 * LANES);
        }

        float[] scales = rows.scales();
        float[] errors = rows.errors();
        DoubleVector baseV = DoubleVector.broadcast(DOUBLES, base);
        DoubleVector normV = DoubleVector.broadcast(DOUBLES, queryNorm);
        for (int j = 0; j < group; j += DOUBLE_LANES) {
            int i = first + j;
            DoubleVector bound = toDoubles(scales, i).mul(toDoubles(approx, j)).add(normV.mul(toDoubles(errors, i)));
            DoubleVector upper = baseV.add(toDoubles(bias, i)).add(bound);
            if (upper.compare(VectorOperators.LT, worst).not().anyTrue()) {
                return ApproxKernel.candidateBits(approx, rows, bias, base, queryNorm, worst, first);
            }
        }
        return 0;
    }

    private static FloatVector widen(byte[] codes, int offset) {
        return (FloatVector) ByteVector.fromArray(BYTES, codes, offset).convertShape(VectorOperators.B2F, FLOATS, 0);
    }

    private static DoubleVector toDoubles(float[] a, int offset) {
        return (DoubleVector)
                FloatVector.fromArray(HALF_FLOATS, a, offset).convertShape(VectorOperators.F2D, DOUBLES, 0);
    }

    @Override
    public String name() {
        return "int8-vector-" + FLOATS.vectorBitSize();
    }
}
