/**
 * docs/benchmarks.md ("Two threads again"): does this machine run two threads of pure arithmetic (no memory
 * traffic) twice as fast as one? One thread does N steps, then two threads do N steps each; the speed-up is twice
 * the first time over the second. Four rounds. Not part of the build.
 *
 * <pre>java docs/experiments/ParallelArithmetic.java 300000000</pre>
 */
public class ParallelArithmetic {
    static volatile double sink;

    static double work(long n) {
        double a = 1.0001, b = 0.9999, c = 0.5, d = 0.25;
        for (long k = 0; k < n; k++) {
            a = a * b + c;
            c = c * d + a * 1e-9;
            b = b * 0.9999999 + 1e-7;
            d = d * 1.0000001 - 1e-8;
        }
        return a + b + c + d;
    }

    public static void main(String[] args) throws Exception {
        long n = Long.parseLong(args[0]);
        for (int round = 0; round < 4; round++) {
            long t0 = System.nanoTime();
            sink = work(n);
            long one = System.nanoTime() - t0;
            Thread[] threads = new Thread[2];
            t0 = System.nanoTime();
            for (int k = 0; k < 2; k++) {
                threads[k] = new Thread(() -> sink = work(n));
                threads[k].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long two = System.nanoTime() - t0;
            System.out.printf(
                    "one thread %d ms, two threads (twice the work) %d ms: %.2fx%n",
                    one / 1_000_000, two / 1_000_000, 2.0 * one / two);
        }
    }
}
