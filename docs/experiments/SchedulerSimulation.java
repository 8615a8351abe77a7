package io.streamrec.learn;
/**
 * How often a block's rows were last run by the other thread, under fpsg's scheduler with one preference for all
 * workers ({@code 1}) or the quadrant preference of {@code fpsg-quadrant-scheduler.patch} ({@code 2}): two threads,
 * blocks of 20-40 us of spinning instead of training, 50 epochs of the 20 x 20 grid (docs/benchmarks.md). Needs the
 * patch applied and built; from the repository root:
 *
 * <pre>
 * javac -d /tmp/sim -cp streamrec-core/target/classes docs/experiments/SchedulerSimulation.java
 * java -cp /tmp/sim:streamrec-core/target/classes io.streamrec.learn.SchedulerSimulation 1|2
 * </pre>
 */
public class SchedulerSimulation {
    public static void main(String[] a) throws Exception {
        int bins = 20, epochs = 50, workers = Integer.parseInt(a[0]);
        BlockScheduler s = new BlockScheduler(bins, workers, epochs, 1, null);
        int[] lastUser = new int[bins], lastItem = new int[bins];
        java.util.Arrays.fill(lastUser, -1); java.util.Arrays.fill(lastItem, -1);
        long[] moved = new long[2], total = new long[1];
        Thread[] ts = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int me = t;
            ts[t] = new Thread(() -> {
                int b;
                while ((b = s.take(workers == 1 ? 0 : me)) >= 0) {
                    synchronized (lastUser) {
                        total[0]++;
                        if (lastUser[b / bins] >= 0 && lastUser[b / bins] != me) moved[0]++;
                        if (lastItem[b % bins] >= 0 && lastItem[b % bins] != me) moved[1]++;
                        lastUser[b / bins] = me; lastItem[b % bins] = me;
                    }
                    long until = System.nanoTime() + 20_000 + (long) (Math.random() * 20_000);
                    while (System.nanoTime() < until) Thread.onSpinWait();
                    s.done(b);
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        System.out.printf("workers=%d blocks=%d user-group moved %.1f%% item-group moved %.1f%%%n", workers, total[0], 100.0 * moved[0] / total[0], 100.0 * moved[1] / total[0]);
    }
}
