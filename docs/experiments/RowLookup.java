import io.streamrec.learn.FactorTable;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.Model;
import io.streamrec.model.ModelKind;
import java.nio.charset.StandardCharsets;

/**
 * docs/benchmarks.md ("Item lookups"): what finding an item's row costs a user task per event, MovieLens-100K's
 * 1,682 items, with the id as the event parser hands it over (a new String, its hash not computed yet) and with a
 * string whose hash is cached. Not part of the build.
 *
 * <pre>java -cp target/streamrec.jar docs/experiments/RowLookup.java</pre>
 */
public class RowLookup {
    public static void main(String[] args) {
        FactorTable t = new Model(Hyperparameters.defaults(ModelKind.BIASED_MF)).items();
        int items = 1682;
        for (int k = 1; k <= items; k++) {
            t.getOrCreate(Integer.toString(k));
        }
        byte[][] ids = new byte[items][];
        String[] made = new String[items];
        for (int k = 0; k < items; k++) {
            ids[k] = Integer.toString(k + 1).getBytes(StandardCharsets.US_ASCII);
            made[k] = new String(ids[k], StandardCharsets.US_ASCII);
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        int[] order = new int[1 << 20];
        for (int k = 0; k < order.length; k++) {
            order[k] = r.nextInt(items);
        }
        for (int round = 0; round < 8; round++) {
            long s = System.nanoTime();
            long sum = 0;
            for (int k = 0; k < order.length; k++) {
                sum += t.indexOf(new String(ids[order[k]], StandardCharsets.US_ASCII));
            }
            long fresh = System.nanoTime() - s;
            s = System.nanoTime();
            for (int k = 0; k < order.length; k++) {
                sum += new String(ids[order[k]], StandardCharsets.US_ASCII).hashCode();
            }
            long string = System.nanoTime() - s;
            s = System.nanoTime();
            for (int k = 0; k < order.length; k++) {
                sum += t.indexOf(made[order[k]]);
            }
            long cached = System.nanoTime() - s;
            System.out.printf(
                    "ns per event: lookup of a new id %.1f, of which the new String and its hash %.1f; lookup of a"
                            + " string with its hash cached %.1f (%d)%n",
                    fresh / (double) order.length, string / (double) order.length, cached / (double) order.length,
                    sum);
        }
    }
}
