/**
 * How much this machine itself gains from a second thread, to read the two-thread `pretrain` figures against
 * (docs/benchmarks.md). Each thread does the same work, so "2 x time(1) / time(2)" is the machine's own scaling.
 *
 * <pre>
 * java docs/experiments/ComputeScaling.java 1 chain;  java docs/experiments/ComputeScaling.java 2 chain
 * java docs/experiments/ComputeScaling.java 1 independent;  java docs/experiments/ComputeScaling.java 2 independent
 * java docs/experiments/ComputeScaling.java 1 array 4096;  java docs/experiments/ComputeScaling.java 2 array 4096
 * </pre>
 *
 * {@code chain}: a dependent multiply-add chain in registers. {@code array SIZE}: a loop C2 vectorizes, multiply and
 * add over SIZE floats per thread (4096: in the first-level cache). {@code independent}: twelve independent
 * multiply-add chains in registers, which keep the floating-point units busy rather than waiting on latency: where
 * two threads share those units (two hardware threads of one core, or a host's neighbours), this scales less than
 * {@code chain}.
 */
public class ComputeScaling {
    static volatile double sink;

    static double chain(long n) {
        double a = 1.0, b = 0;
        for (long i = 0; i < n; i++) {
            a = a * 1.0000001 + 1e-9;
            b += a * 0.5;
        }
        return a + b;
    }

    static double independent(long n) {
        double a0 = 1.00, a1 = 1.01, a2 = 1.02, a3 = 1.03, a4 = 1.04, a5 = 1.05;
        double a6 = 1.06, a7 = 1.07, a8 = 1.08, a9 = 1.09, a10 = 1.10, a11 = 1.11;
        for (long i = 0; i < n; i++) {
            a0 = a0 * 0.9999999 + 1e-9; a1 = a1 * 0.9999999 + 1e-9; a2 = a2 * 0.9999999 + 1e-9;
            a3 = a3 * 0.9999999 + 1e-9; a4 = a4 * 0.9999999 + 1e-9; a5 = a5 * 0.9999999 + 1e-9;
            a6 = a6 * 0.9999999 + 1e-9; a7 = a7 * 0.9999999 + 1e-9; a8 = a8 * 0.9999999 + 1e-9;
            a9 = a9 * 0.9999999 + 1e-9; a10 = a10 * 0.9999999 + 1e-9; a11 = a11 * 0.9999999 + 1e-9;
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }

    static float array(int size, long total) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = i;
        for (long r = 0, reps = total / size; r < reps; r++) {
            for (int i = 0; i < size; i++) x[i] = x[i] * 0.9999f + 0.0001f;
        }
        return x[17];
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        boolean isChain = args[1].equals("chain");
        boolean isIndependent = args[1].equals("independent");
        int size = isChain || isIndependent ? 0 : Integer.parseInt(args[2]);
        if (isChain) chain(50_000_000); else if (isIndependent) independent(20_000_000); else array(size, 200_000_000L); // warm-up
        long t0 = System.nanoTime();
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> sink = isChain
                    ? chain(300_000_000L)
                    : isIndependent ? independent(150_000_000L) : array(size, 8_000_000_000L));
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        System.out.printf("%s threads=%d %.3f s%n", isChain ? "chain" : isIndependent ? "independent" : "array " + size, threads, (System.nanoTime() - t0) / 1e9);
    }
}
