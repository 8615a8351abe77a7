import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import java.nio.file.Path;
import java.util.List;

/**
 * docs/benchmarks.md ("Memory per rating read"): the heap a {@code List<Rating>} read by {@link RatingReader} holds,
 * per rating, from the heap after full collections before and after the read. Not part of the build.
 *
 * <pre>java -cp target/streamrec.jar docs/experiments/ReadMem.java FILE</pre>
 */
public class ReadMem {
    public static void main(String[] args) throws Exception {
        Runtime rt = Runtime.getRuntime();
        long before = settledHeap(rt);
        long t0 = System.nanoTime();
        List<Rating> ratings = new RatingReader().read(Path.of(args[0])).ratings();
        long t1 = System.nanoTime();
        long after = settledHeap(rt);
        System.out.printf(
                "%d ratings, read %.0f ms, %.1f bytes per rating held%n",
                ratings.size(), (t1 - t0) / 1e6, (after - before) / (double) ratings.size());
    }

    private static long settledHeap(Runtime rt) throws InterruptedException {
        for (int k = 0; k < 3; k++) {
            System.gc();
            Thread.sleep(100);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
