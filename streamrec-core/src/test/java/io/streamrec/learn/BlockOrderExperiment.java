package io.streamrec.learn;

import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.eval.RegressionMetrics;
import io.streamrec.model.ModelKind;
import java.util.ArrayList;
import java.util.List;

/**
 * How the order of SGD steps moves {@link BlockSgdTrainerTest}'s held-out RMSE (docs/benchmarks.md, "bench"). Not a
 * test: run from the module's test classpath.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:... io.streamrec.learn.BlockOrderExperiment seeds 1000
 * java -cp ... io.streamrec.learn.BlockOrderExperiment threads 300
 * </pre>
 *
 * {@code seeds N}: one thread, seeds 1..N, prints the runs above 0.118. {@code threads N}: N two-thread runs at seed
 * 7, each block taken logged; every run above 0.118 is replayed in its logged order on one thread, and both figures
 * printed (equal figures: the order, not a race, made the run worse).
 */
public final class BlockOrderExperiment {
    private static final SyntheticRatings DATA = new SyntheticRatings(
            SyntheticRatings.Spec.explicit(300, 200, 3, 17).withNoise(0.1).withZipf(0.5));
    private static final List<Rating> EVENTS = DATA.take(60_000);
    private static final List<Rating> TRAIN = EVENTS.subList(0, 50_000);
    private static final List<Rating> TEST = EVENTS.subList(50_000, EVENTS.size());
    private static final Hyperparameters HYPER =
            Hyperparameters.pretrainDefaults(ModelKind.BIASED_MF).withFactors(3).withRegularization(0.001, 0.001);
    private static final int EPOCHS = 30;
    private static final long SEED = 7;

    private BlockOrderExperiment() {}

    public static void main(String[] args) throws InterruptedException {
        int n = Integer.parseInt(args[1]);
        if (args[0].equals("seeds")) {
            for (int s = 1; s <= n; s++) {
                double r = rmse(new BlockSgdTrainer(HYPER, EPOCHS, 1, s).train(TRAIN, null));
                if (r > 0.118) {
                    System.out.printf("seed %d: %.4f%n", s, r);
                }
            }
            return;
        }
        for (int k = 0; k < n; k++) {
            List<int[]> log = new ArrayList<>();
            double parallel = run(log, null);
            if (parallel > 0.118) {
                System.out.printf("two threads %.4f, replayed on one thread %.4f%n", parallel, run(null, log));
            }
        }
    }

    private static double rmse(Model m) {
        RegressionMetrics r = new RegressionMetrics();
        for (Rating e : TEST) {
            r.add(e.label(), m.predict(e.user(), e.item()));
        }
        return r.rmse();
    }

    /** As BlockSgdTrainer.train with two threads, logging (block, epoch) as taken; or replaying such a log. */
    private static double run(List<int[]> log, List<int[]> replay) throws InterruptedException {
        Model model = new Model(HYPER, GlobalMean.of(TRAIN), 0);
        RatingBlocks blocks = RatingBlocks.of(model, TRAIN, BlockSgdTrainer.DEFAULT_BINS, SEED, false);
        BlockSgdTrainer.BlockKernel kernel =
                new BlockSgdTrainer.BlockKernel(model, RowKernel.best(), HYPER.width(), false);
        float lr = (float) HYPER.schedule().rate(0);
        if (replay != null) {
            for (int[] be : replay) {
                kernel.run(blocks, be[0], lr);
            }
            kernel.finish(blocks, EPOCHS, false);
            return rmse(model);
        }
        BlockScheduler scheduler = new BlockScheduler(blocks.bins, EPOCHS, SEED, null);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread w = new Thread(() -> {
                int block;
                while ((block = scheduler.take()) >= 0) {
                    int epoch = scheduler.epochOf(block);
                    synchronized (log) {
                        log.add(new int[] {block, epoch});
                    }
                    kernel.run(blocks, block, lr);
                    scheduler.done(block);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        kernel.finish(blocks, EPOCHS, false);
        return rmse(model);
    }
}
