package io.streamrec.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
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

    /**
     * C2 types a loop's accumulator by its declared class and inlines the calls on it from the JVM-wide profile of
     * the API's methods; once two other shapes have run them (the top-k kernel's 512-bit vectors in the same JVM,
     * say), a call on it stays virtual and every vector becomes a heap object, several times slower. Here {@code add}
     * runs on 128-bit and 512-bit vectors first, then the compiled kernel must allocate nothing per call.
     */
    @Test
    void shouldRunAllocationFreeOnceCompiledEvenAfterOtherShapesRanTheApi() throws Throwable {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported()) {
            return;
        }
        addOnOtherShapes(50_000, "SPECIES_128", "SPECIES_512");
        RowKernel vector = RowKernel.best();
        Random r = new Random(9);
        float[] a = random(r, 64);
        float[] b = random(r, 64);
        float[] out = new float[3];
        long deadline = System.nanoTime() + 60_000_000_000L;
        long allocated;
        do {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int call = 0; call < 20_000; call++) {
                vector.dotAndNorms(a, 0, b, 32, 32, out);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        } while (allocated > 0 && System.nanoTime() < deadline);
        assertEquals(0, allocated, "bytes allocated by 20,000 calls of the compiled " + vector.name());
    }

    /** {@code v.add(v)} on float vectors of each named species, by reflection: the tests compile without the API. */
    private static void addOnOtherShapes(int times, String... species) throws Throwable {
        Class<?> floatVector = Class.forName("jdk.incubator.vector.FloatVector");
        Class<?> vector = Class.forName("jdk.incubator.vector.Vector");
        Class<?> speciesType = Class.forName("jdk.incubator.vector.VectorSpecies");
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodHandle zero = lookup.findStatic(floatVector, "zero", MethodType.methodType(floatVector, speciesType));
        MethodHandle add = lookup.findVirtual(floatVector, "add", MethodType.methodType(floatVector, vector));
        for (String name : species) {
            Object v = zero.invoke(floatVector.getField(name).get(null));
            for (int i = 0; i < times; i++) {
                v = add.invoke(v, v);
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
