import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import java.io.BufferedWriter;
import java.io.FileWriter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a synthetic ratings file in u.data's form (user, item, rating, timestamp; tabs), from the planted biased
 * MF model of {@link SyntheticRatings} ({@code Spec.explicit}: noise 0.5, Zipf 1), labels rounded to whole stars.
 * With {@code sessions}, each user's events come in runs of 20 (timestamp-ordered rating logs look like that: a user
 * rates many items in a row); without, users are drawn at random each event. Checks that a default holds on data
 * other than MovieLens-100K (docs/benchmarks.md).
 *
 * <pre>java -cp target/streamrec.jar docs/experiments/SyntheticFile.java USERS ITEMS RANK EVENTS SEED OUT [sessions]</pre>
 */
public class SyntheticFile {
    public static void main(String[] a) throws Exception {
        int users = Integer.parseInt(a[0]), items = Integer.parseInt(a[1]), rank = Integer.parseInt(a[2]);
        int events = Integer.parseInt(a[3]);
        long seed = Long.parseLong(a[4]);
        boolean sessions = a.length > 6 && a[6].equals("sessions");
        List<Rating> rs = new SyntheticRatings(SyntheticRatings.Spec.explicit(users, items, rank, seed)).take(events);
        if (sessions) {
            Map<String, List<Rating>> byUser = new LinkedHashMap<>();
            for (Rating r : rs) {
                byUser.computeIfAbsent(r.user(), k -> new ArrayList<>()).add(r);
            }
            List<List<Rating>> runs = new ArrayList<>();
            for (List<Rating> l : byUser.values()) {
                for (int k = 0; k < l.size(); k += 20) {
                    runs.add(l.subList(k, Math.min(l.size(), k + 20)));
                }
            }
            Collections.shuffle(runs, new Random(seed));
            rs = new ArrayList<>();
            for (List<Rating> run : runs) {
                rs.addAll(run);
            }
        }
        try (PrintWriter w = new PrintWriter(new BufferedWriter(new FileWriter(a[5])))) {
            long t = 1_000_000_000L;
            for (Rating r : rs) {
                w.println(r.user().substring(1) + "\t" + r.item().substring(1) + "\t" + Math.round(r.label()) + "\t" + t++);
            }
        }
    }
}
