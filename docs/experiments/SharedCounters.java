import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the listeners' per-event counters cost two stream threads: each thread runs 5 million simulated events of
 * WORK multiply-adds plus the five counter updates a trained event makes in the listeners (three
 * {@code LongAdder} increments, two {@code DoubleAdder} additions), with the counters shared by the threads
 * ({@code shared}) or one set per thread ({@code local}). Three rounds. docs/benchmarks.md quotes it.
 *
 * <pre>java docs/experiments/SharedCounters.java shared|local THREADS WORK</pre>
 */
public class SharedCounters {
    static final LongAdder A = new LongAdder(), B = new LongAdder(), C = new LongAdder();
    static final DoubleAdder D = new DoubleAdder(), E = new DoubleAdder();
    static volatile double sink;

    public static void main(String[] args) throws Exception {
        boolean shared = args[0].equals("shared");
        int threads = Integer.parseInt(args[1]);
        int work = Integer.parseInt(args[2]);
        int events = 5_000_000;
        for (int round = 0; round < 3; round++) {
            Thread[] ts = new Thread[threads];
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                ts[t] = new Thread(() -> {
                    double[] table = new double[4096];
                    double acc = 0;
                    LongAdder a = shared ? A : new LongAdder(), b = shared ? B : new LongAdder();
                    LongAdder c = shared ? C : new LongAdder();
                    DoubleAdder d = shared ? D : new DoubleAdder(), e = shared ? E : new DoubleAdder();
                    for (int i = 0; i < events; i++) {
                        for (int k = 0; k < work; k++) {
                            acc += table[(i * 31 + k) & 4095] * 1.0001;
                        }
                        a.increment();
                        b.increment();
                        d.add(acc);
                        e.add(1.0);
                        c.increment();
                    }
                    sink = acc;
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            System.out.printf("%s, %d threads, work %d: %.1f ns per event%n",
                    args[0], threads, work, (System.nanoTime() - t0) / (double) events);
        }
    }
}
