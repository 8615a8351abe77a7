package io.streamrec.metrics;

/**
 * What {@code QualityMeters.prequential} costs a stream thread when other threads report at the same time: T threads
 * each report 20 million scored events to one instance, five rounds. docs/benchmarks.md quotes it.
 *
 * <pre>
 * javac -d /tmp/qmc -cp target/streamrec.jar docs/experiments/QualityMetersContention.java
 * java -cp /tmp/qmc:target/streamrec.jar io.streamrec.metrics.QualityMetersContention T
 * </pre>
 * (In the metrics package to reach the package-private class; compiled apart, as the single-file launcher's own
 * class loader would not be in the same runtime package.)
 */
public class QualityMetersContention {
    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long calls = 20_000_000;
        QualityMeters meters = new QualityMeters(1000, io.micrometer.core.instrument.Clock.SYSTEM, false);
        for (int round = 0; round < 5; round++) {
            Thread[] ts = new Thread[threads];
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                double offset = t * 0.1;
                ts[t] = new Thread(() -> {
                    for (long i = 0; i < calls; i++) {
                        meters.prequential(3 + (i & 1), 3.2 + offset);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            System.out.printf("%d threads: %.1f ns per call per thread%n", threads, (System.nanoTime() - t0) / (double) calls);
        }
    }
}
