package io.streamrec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizedRowsTest {
    /** How far above the float dot the bound may sit on Gaussian data, relative to |q| |x|. */
    private static final double LOOSENESS = 0.02;

    @Test
    void shouldLoadTheVectorKernelWhenTheBuildRequiresIt() {
        if ("required".equals(System.getProperty("streamrec.test.vectorKernel"))) {
            ApproxKernel kernel = ApproxKernel.best();
            assertNotNull(kernel, "surefire adds jdk.incubator.vector, so the SIMD kernel must load");
            assertTrue(kernel.name().startsWith("int8-vector-"), kernel.name());
        }
    }

    @Test
    void shouldComputeBitwiseTheScalarDotsAndCandidatesWithTheVectorKernel() {
        ApproxKernel vector = ApproxKernel.best();
        if (vector == null) {
            return; // run without the module: shouldLoadTheVectorKernelWhenTheBuildRequiresIt guards the build
        }
        Random random = new Random(17);
        for (int k : new int[] {1, 7, 32, 64, 65}) {
            int n = 256;
            QuantizedRows rows = rows(random, n, k, r -> (float) r.nextGaussian());
            float[] bias = new float[n];
            for (int i = 0; i < n; i++) {
                bias[i] = (float) random.nextGaussian();
            }
            float[] query = new float[k];
            for (int f = 0; f < k; f++) {
                query[f] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
            }
            float norm = QuantizedRows.queryNorm(query, k);
            for (double worst : new double[] {Double.NEGATIVE_INFINITY, -1, 0.5, 2, 4, Double.NaN}) {
                for (int first = 0; first < n; first += QuantizedRows.GROUP) {
                    float[] expected = new float[QuantizedRows.GROUP];
                    float[] actual = new float[QuantizedRows.GROUP];
                    long expectedBits = new ApproxKernel.Scalar()
                            .candidates(query, k, rows, bias, 0.25, norm, worst, first, expected);
                    long actualBits = vector.candidates(query, k, rows, bias, 0.25, norm, worst, first, actual);
                    String what = "k " + k + ", worst " + worst + ", rows from " + first;
                    assertArrayEquals(expected, actual, what);
                    assertEquals(expectedBits, actualBits, what);
                }
            }
        }
    }

    /**
     * The cliff this guards against: when the API's methods have also run on another shape (the API's own
     * fallbacks do, early in a run), C2 may keep a kernel's vectors as heap objects, several times slower. Here the
     * store runs on 128-bit vectors first, then the kernel must, once compiled, allocate nothing per call.
     */
    @Test
    void shouldRunAllocationFreeOnceCompiledEvenAfterAnotherShapeRanTheApi() throws Throwable {
        ApproxKernel vector = ApproxKernel.best();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (vector == null || !threads.isThreadAllocatedMemorySupported()) {
            return; // run without the module: shouldLoadTheVectorKernelWhenTheBuildRequiresIt guards the build
        }
        storeOnAnotherShape(50_000);
        Random random = new Random(5);
        int k = 64;
        int n = 16 * QuantizedRows.GROUP;
        QuantizedRows rows = rows(random, n, k, r -> (float) r.nextGaussian());
        float[] bias = new float[n];
        float[] query = new float[k];
        for (int f = 0; f < k; f++) {
            query[f] = (float) random.nextGaussian();
        }
        float norm = QuantizedRows.queryNorm(query, k);
        float[] approx = new float[QuantizedRows.GROUP];
        long deadline = System.nanoTime() + 60_000_000_000L;
        long allocated;
        do {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int call = 0; call < 2_000; call++) {
                int first = (call % 16) * QuantizedRows.GROUP;
                vector.candidates(query, k, rows, bias, 0.0, norm, Double.POSITIVE_INFINITY, first, approx);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        } while (allocated > 0 && System.nanoTime() < deadline);
        assertEquals(0, allocated, "bytes allocated by 2,000 calls of the compiled " + vector.name());
    }

    /** {@code FloatVector.zero(SPECIES_128).intoArray(..)}, by reflection: the tests compile without the API. */
    private static void storeOnAnotherShape(int times) throws Throwable {
        Class<?> floatVector = Class.forName("jdk.incubator.vector.FloatVector");
        Class<?> species = Class.forName("jdk.incubator.vector.VectorSpecies");
        Object narrow = floatVector.getField("SPECIES_128").get(null);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodHandle zero = lookup.findStatic(floatVector, "zero", MethodType.methodType(floatVector, species));
        MethodHandle store = lookup.findVirtual(
                floatVector, "intoArray", MethodType.methodType(void.class, float[].class, int.class));
        float[] out = new float[4];
        Object v = zero.invoke(narrow);
        for (int i = 0; i < times; i++) {
            store.invoke(v, out, 0);
        }
    }

    @Test
    void shouldBoundTheFloatDotAndNameTheRowAtItsOwnScoreOnAdversarialRows() {
        Random random = new Random(23);
        List<Gen> rowKinds = List.of(
                r -> (float) r.nextGaussian(),
                r -> (float) (r.nextGaussian() * Math.pow(10, r.nextInt(13) - 6)), // wide dynamic range
                r -> r.nextInt(4) == 0 ? (float) r.nextGaussian() * 1e3f : (float) r.nextGaussian() * 1e-4f,
                r -> Float.MIN_VALUE * (r.nextInt(2001) - 1000), // subnormal
                r -> (r.nextInt(255) - 127) / 127f, // exactly on the code grid
                r -> (r.nextInt(255) - 127 + 0.5f) / 127f, // half way between codes
                r -> (float) r.nextGaussian() * 1e15f,
                r -> 0f);
        List<Gen> queryKinds = List.of(
                r -> (float) r.nextGaussian(),
                r -> (float) (r.nextGaussian() * Math.pow(10, r.nextInt(13) - 6)),
                r -> Float.MIN_VALUE * (r.nextInt(2001) - 1000),
                r -> (float) r.nextGaussian() * 1e15f,
                r -> 1f);
        List<ApproxKernel> kernels = new ArrayList<>(List.of(new ApproxKernel.Scalar()));
        if (ApproxKernel.best() != null) {
            kernels.add(ApproxKernel.best());
        }
        for (int k : new int[] {1, 2, 16, 64, 100}) {
            for (Gen rowKind : rowKinds) {
                int n = 128;
                QuantizedRows rows = new QuantizedRows();
                rows.reset(k);
                rows.ensureCapacity(n);
                float[][] x = new float[n][k];
                for (int i = 0; i < n; i++) {
                    for (int f = 0; f < k; f++) {
                        x[i][f] = rowKind.next(random);
                    }
                    rows.set(i, x[i], 0);
                }
                for (Gen queryKind : queryKinds) {
                    float[] q = new float[k];
                    for (int f = 0; f < k; f++) {
                        q[f] = queryKind.next(random);
                    }
                    float qn = QuantizedRows.queryNorm(q, k);
                    if (Float.isNaN(qn)) {
                        continue; // too long to bound: the store scores every item
                    }
                    float[] approx = dots(new ApproxKernel.Scalar(), q, k, rows, n);
                    for (int i = 0; i < n; i++) {
                        float dot = ItemScan.dot(q, 0, x[i], 0, k);
                        double bound = (double) rows.scales()[i] * approx[i] + (double) qn * rows.errors()[i];
                        assertTrue(bound >= dot, "k " + k + ", row " + i + ": bound " + bound + " < dot " + dot);
                        // With the worst kept key equal to the row's own score, every kernel must name the row.
                        double base = random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4);
                        float[] bias = new float[n];
                        bias[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
                        double key = (base + bias[i]) + dot;
                        int first = i / QuantizedRows.GROUP * QuantizedRows.GROUP;
                        for (ApproxKernel kernel : kernels) {
                            long bits = kernel.candidates(
                                    q, k, rows, bias, base, qn, key, first, new float[QuantizedRows.GROUP]);
                            assertTrue((bits >>> (i - first) & 1) == 1, kernel.name() + ", k " + k + ", row " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldBoundWithinAFewPercentOfTheNormsOnGaussianRows() {
        Random random = new Random(29);
        int k = 64;
        int n = 512;
        QuantizedRows rows = new QuantizedRows();
        rows.reset(k);
        rows.ensureCapacity(n);
        float[][] x = new float[n][k];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < k; f++) {
                x[i][f] = (float) random.nextGaussian();
            }
            rows.set(i, x[i], 0);
        }
        float[] q = new float[k];
        for (int f = 0; f < k; f++) {
            q[f] = (float) random.nextGaussian();
        }
        float[] approx = dots(new ApproxKernel.Scalar(), q, k, rows, n);
        float qn = QuantizedRows.queryNorm(q, k);
        for (int i = 0; i < n; i++) {
            float dot = ItemScan.dot(q, 0, x[i], 0, k);
            double bound = (double) rows.scales()[i] * approx[i] + (double) qn * rows.errors()[i];
            double scale = qn * FactorTable.norm(x[i], 0, k);
            assertTrue(bound - dot <= LOOSENESS * scale, "row " + i + ": bound " + bound + ", dot " + dot);
        }
    }

    @Test
    void shouldNeverSkipARowWithANonFiniteOrHugeFactor() {
        QuantizedRows rows = new QuantizedRows();
        rows.reset(3);
        rows.ensureCapacity(3);
        rows.set(0, new float[] {1f, Float.NaN, 0f}, 0);
        rows.set(1, new float[] {Float.NEGATIVE_INFINITY, 1f, 0f}, 0);
        rows.set(2, new float[] {3e18f, 0f, 0f}, 0);
        for (int i = 0; i < 3; i++) {
            assertEquals(0f, rows.scales()[i]);
            assertEquals(Float.POSITIVE_INFINITY, rows.errors()[i]);
        }
        assertTrue(Float.isNaN(QuantizedRows.queryNorm(new float[] {Float.NaN, 1f}, 2)));
        assertTrue(Float.isNaN(QuantizedRows.queryNorm(new float[] {2e18f, 0f}, 2)));
    }

    @Test
    void shouldKeepARowsCodesWhenMovedAcrossGroups() {
        Random random = new Random(31);
        int k = 5;
        QuantizedRows rows = rows(random, 70, k, r -> (float) r.nextGaussian());
        float[] before = row(rows, 69, k);
        float scale = rows.scales()[69];
        rows.move(69, 3);
        assertArrayEquals(before, row(rows, 3, k));
        assertEquals(scale, rows.scales()[3]);
    }

    /** The kernel's approximate dots of rows {@code [0, n)}, {@code n} a multiple of the group. */
    private static float[] dots(ApproxKernel kernel, float[] q, int k, QuantizedRows rows, int n) {
        float[] out = new float[n];
        float[] group = new float[QuantizedRows.GROUP];
        float[] bias = new float[n];
        for (int first = 0; first < n; first += QuantizedRows.GROUP) {
            kernel.candidates(q, k, rows, bias, 0.0, 1f, 0.0, first, group);
            System.arraycopy(group, 0, out, first, QuantizedRows.GROUP);
        }
        return out;
    }

    interface Gen {
        float next(Random random);
    }

    /** {@code n} rows of {@code k} factors drawn by {@code gen}, quantized. */
    private static QuantizedRows rows(Random random, int n, int k, Gen gen) {
        QuantizedRows rows = new QuantizedRows();
        rows.reset(k);
        rows.ensureCapacity(n);
        float[] x = new float[k];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < k; f++) {
                x[f] = gen.next(random);
            }
            rows.set(i, x, 0);
        }
        return rows;
    }

    /** The dequantized codes of row {@code i}, code times scale. */
    private static float[] row(QuantizedRows rows, int i, int k) {
        int at = (i / QuantizedRows.GROUP) * QuantizedRows.GROUP * k + i % QuantizedRows.GROUP;
        float[] out = new float[k];
        for (int f = 0; f < k; f++) {
            out[f] = rows.codes()[at + f * QuantizedRows.GROUP] * rows.scales()[i];
        }
        return out;
    }
}
