import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.learn.BlockSgdTrainer;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.model.ModelKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * docs/benchmarks.md ("Packed rows"): `pretrain`'s trainer in one warm JVM, one and two threads alternating, so that
 * neither the JVM's start nor the JIT is in the figures; the minimum of the rounds is the least disturbed by other
 * work on the machine. Not part of the build.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp target/streamrec.jar docs/experiments/FpsgThreads.java FILE EPOCHS ROUNDS</pre>
 */
public class FpsgThreads {
    public static void main(String[] args) throws Exception {
        List<Rating> ratings = new RatingReader().read(Path.of(args[0])).ratings();
        int epochs = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Hyperparameters hyper = Hyperparameters.pretrainDefaults(ModelKind.BIASED_MF);
        List<List<Double>> ms = List.of(new ArrayList<>(), new ArrayList<>());
        for (int k = 0; k < rounds; k++) {
            for (int threads = 1; threads <= 2; threads++) {
                long[] firstEpoch = {0};
                long start = System.nanoTime();
                new BlockSgdTrainer(hyper, epochs, threads, 42).train(ratings, e -> {
                    if (e == 1) {
                        firstEpoch[0] = System.nanoTime();
                    }
                });
                long end = System.nanoTime();
                ms.get(threads - 1).add((end - start) / 1e6);
                if (k == rounds - 1) {
                    System.out.printf("threads %d: %.0f ms to the end of the first epoch, then %.1f ms per epoch%n",
                            threads, (firstEpoch[0] - start) / 1e6, (end - firstEpoch[0]) / 1e6 / (epochs - 1));
                }
            }
        }
        for (int t = 0; t < 2; t++) {
            List<Double> v = ms.get(t);
            Collections.sort(v);
            System.out.printf("threads %d: min %.0f ms, median %.0f ms%n", t + 1, v.get(0), v.get(v.size() / 2));
        }
        System.out.printf("two threads against one: %.2fx (minimum)%n", ms.get(0).get(0) / ms.get(1).get(0));
    }
}
