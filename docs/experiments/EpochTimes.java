import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.learn.BlockSgdTrainer;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.model.ModelKind;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * docs/benchmarks.md ("Epoch by epoch"): what `pretrain` does around its trainer (warm-up started, file read, 50
 * epochs of fpsg), with every epoch's duration printed, so that a settled epoch can be told from the first ones.
 * {@code -Dpause=MS} sleeps that long after reading, before training. Not part of the build.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/streamrec.jar docs/experiments/EpochTimes.java FILE THREADS</pre>
 */
public class EpochTimes {
    public static void main(String[] args) throws InterruptedException {
        Hyperparameters hyper = Hyperparameters.pretrainDefaults(ModelKind.BIASED_MF);
        BlockSgdTrainer.prepare(hyper);
        List<Rating> ratings = new RatingReader().read(Path.of(args[0])).ratings();
        int threads = Integer.parseInt(args[1]);
        Thread.sleep(Long.getLong("pause", 0));
        long[] t = new long[51];
        t[0] = System.nanoTime();
        BlockSgdTrainer trainer = new BlockSgdTrainer(hyper, 50, threads, 42);
        System.out.println("training starts at JVM uptime " + ManagementFactory.getRuntimeMXBean().getUptime() + " ms");
        trainer.train(ratings, e -> t[e] = System.nanoTime());
        StringBuilder epochs = new StringBuilder();
        double firstTen = 0;
        for (int e = 2; e <= 50; e++) {
            double ms = (t[e] - t[e - 1]) / 1e6;
            epochs.append(String.format(" %.1f", ms));
            firstTen += e <= 11 ? ms : 0;
        }
        System.out.printf(
                "threads %d: setup %.3f s, epochs %.3f s, setup and first epoch %.1f ms, epochs 2-11 %.1f ms;"
                        + " epochs 2-50 (ms):%s%n",
                threads, trainer.setupSeconds(), trainer.epochSeconds(), (t[1] - t[0]) / 1e6, firstTen, epochs);
    }
}
