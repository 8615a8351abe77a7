import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import java.nio.file.Path;
import java.util.*;

/**
 * What one pass of {@code pretrain}'s block building over the events costs once the JIT has optimized it: a walk over
 * the {@code Rating}s, a hash lookup of each event's user, the same ids copied into an array first, then the lookups
 * on the array. Eight rounds; the first ones run in code the JIT has not optimized yet, as a training's single setup
 * does.
 *
 * <pre>
 * javac -d /tmp/rows -cp target/streamrec.jar docs/experiments/RowsProbe.java
 * java -cp target/streamrec.jar:/tmp/rows RowsProbe ml400k.data
 * </pre>
 */
public class RowsProbe {
    public static void main(String[] a) throws Exception {
        List<Rating> train = RatingReader.readAll(Path.of(a[0]));
        for (int round = 0; round < 8; round++) {
            long t0 = System.nanoTime();
            long h = 0;
            for (int e = 0; e < train.size(); e++) h += train.get(e).user().length();
            long t1 = System.nanoTime();
            Map<String, Integer> first = new HashMap<>();
            int[] temp = new int[train.size()];
            for (int e = 0; e < temp.length; e++) {
                String id = train.get(e).user();
                Integer t = first.get(id);
                if (t == null) { t = first.size(); first.put(id, t); }
                temp[e] = t;
            }
            long t2 = System.nanoTime();
            String[] ids = new String[train.size()];
            for (int e = 0; e < ids.length; e++) ids[e] = train.get(e).user();
            long t3 = System.nanoTime();
            Map<String, Integer> f2 = new HashMap<>();
            for (int e = 0; e < ids.length; e++) {
                Integer t = f2.get(ids[e]);
                if (t == null) { t = f2.size(); f2.put(ids[e], t); }
                temp[e] = t;
            }
            long t4 = System.nanoTime();
            System.out.printf("walk %.1f  map %.1f  extract %.1f  map-on-array %.1f ms (%d)%n", (t1-t0)/1e6, (t2-t1)/1e6, (t3-t2)/1e6, (t4-t3)/1e6, h);
        }
    }
}
