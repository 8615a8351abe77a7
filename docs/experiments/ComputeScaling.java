/**
 * How much this machine itself gains from a second thread, to read the two-thread `pretrain` figures against
 * (docs/benchmarks.md). Each thread does the same work, so "2 x time(1) / time(2)" is the machine's own scaling.
 *
 * <pre>
 * java docs/experiments/ComputeScaling.java 1 chain;  java docs/experiments/ComputeScaling.java 2 chain
 * java docs/experiments/ComputeScaling.java 1 array 4096;  java docs/experiments/ComputeScaling.java 2 array 4096
 * </pre>
 *
 * {@code chain}: a dependent multiply-add chain in registers. {@code array SIZE}: a loop C2 vectorizes, multiply and
 * add over SIZE floats per thread (4096: in the first-level cache).
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
        int size = isChain ? 0 : Integer.parseInt(args[2]);
        if (isChain) chain(50_000_000); else array(size, 200_000_000L); // warm-up
        long t0 = System.nanoTime();
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> sink = isChain ? chain(300_000_000L) : array(size, 8_000_000_000L));
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        System.out.printf("%s threads=%d %.3f s%n", isChain ? "chain" : "array " + size, threads, (System.nanoTime() - t0) / 1e9);
    }
}
