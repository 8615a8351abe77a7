package io.streamrec.learn;

import io.streamrec.data.Rating;
import io.streamrec.model.ModelKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How much fpsg's kernel slows down per event when the rows of each block were last written by the other core
 * (docs/benchmarks.md). A speed probe, not a training: in {@code swap} the two threads may step the same rows at
 * once. From the repository root, after a build:
 *
 * <pre>
 * javac -d /tmp/probe -cp streamrec-core/target/classes:streamrec-model/target/classes docs/experiments/MigrationProbe.java
 * java --add-modules jdk.incubator.vector -cp /tmp/probe:streamrec-core/target/classes:streamrec-model/target/classes \
 *     io.streamrec.learn.MigrationProbe ml400k.data 300 [scheduler]
 * </pre>
 *
 * With {@code scheduler}: one thread, then two, on the whole grid with the trainer's own block scheduler, three
 * times: how much slower per event the kernel runs when two threads train together as {@code pretrain --threads 2}
 * does.
 */
public final class MigrationProbe {
    public static void main(String[] args) throws Exception {
        List<Rating> train = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] f = line.split("\t");
            train.add(new Rating(f[0], f[1], Float.parseFloat(f[2]), Long.parseLong(f[3])));
        }
        Hyperparameters hyper = Hyperparameters.pretrainDefaults(ModelKind.BIASED_MF);
        int bins = 20, half = bins / 2, rounds = Integer.parseInt(args[1]);
        Model model = new Model(hyper, GlobalMean.of(train), 0);
        RatingBlocks blocks = RatingBlocks.of(model, train, bins, 1, false);
        BlockSgdTrainer.BlockKernel kernel = new BlockSgdTrainer.BlockKernel(model, RowKernel.best(), hyper.width(), false);
        String[] modes = args.length > 2 && args[2].equals("scheduler")
                ? new String[] {"sched-1", "sched-2", "sched-1", "sched-2", "sched-1", "sched-2"}
                : new String[] {"one", "quadrants", "swap", "one", "quadrants", "swap"};
        for (String mode : modes) {
            long[] nanos = new long[2];
            long[] events = new long[2];
            int threads = mode.equals("one") || mode.equals("sched-1") ? 1 : 2;
            // sched-1, sched-2: the whole grid on one or two threads, blocks from the trainer's own scheduler, as
            // much work in all as the other modes (a round is 100 blocks per thread there, 400 blocks an epoch here).
            BlockScheduler scheduler =
                    mode.startsWith("sched") ? new BlockScheduler(bins, Math.max(1, rounds * threads / 4), 1, null) : null;
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int me = t;
                ts[t] = new Thread(() -> {
                    if (mode.startsWith("sched")) {
                        int b;
                        while ((b = scheduler.take()) >= 0) {
                            long t0 = System.nanoTime();
                            kernel.run(blocks, b, 0.01f);
                            nanos[me] += System.nanoTime() - t0;
                            events[me] += blocks.start[b + 1] - blocks.start[b];
                            scheduler.done(b);
                        }
                        return;
                    }
                    for (int r = 0; r < rounds; r++) {
                        // one: thread 0 runs quadrant 0; quadrants: each thread its own diagonal quadrant, rows never
                        // move; swap: at every block the threads change quadrants, so the rows of each block were
                        // last written by the other core.
                        for (int s = 0; s < half * half; s++) {
                            int q = mode.equals("swap") ? (me + s) % 2 : me;
                            int ug = q * half + s / half;
                            int ig = q * half + s % half;
                            {
                                int b = ug * bins + ig;
                                long t0 = System.nanoTime();
                                kernel.run(blocks, b, 0.01f);
                                nanos[me] += System.nanoTime() - t0;
                                events[me] += blocks.start[b + 1] - blocks.start[b];
                            }
                        }
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) t.join();
            System.out.printf("%-9s ns per event: thread 0 %.1f%s%n", mode, (double) nanos[0] / events[0],
                    threads > 1 ? String.format(", thread 1 %.1f", (double) nanos[1] / events[1]) : "");
        }
    }
}
