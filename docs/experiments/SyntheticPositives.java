import io.streamrec.data.Rating;
import io.streamrec.data.SyntheticRatings;
import java.io.FileWriter;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Experiment, not product code (see docs/benchmarks.md, "Ideas measured against the popularity bar"). Writes
 * SyntheticRatings' binary stream as a u.data-style file (user, item, 0/1 label, event number as time), or prints
 * the recall@10 of the planted model (rank by P(item drawn) x P(click)) under PrequentialRanking's protocol.
 *
 * <p>Run from the worktree root after building target/streamrec.jar:
 * {@code java -cp target/streamrec.jar docs/experiments/SyntheticPositives.java write|oracle USERS ITEMS SEED EVENTS ZIPF [FILE]}
 */
public class SyntheticPositives {
    public static void main(String[] a) throws Exception {
        int users = Integer.parseInt(a[1]);
        int items = Integer.parseInt(a[2]);
        int n = Integer.parseInt(a[4]);
        SyntheticRatings g = new SyntheticRatings(SyntheticRatings.Spec.binary(users, items, 8, Long.parseLong(a[3]))
                .withZipf(Double.parseDouble(a[5])));
        if (a[0].equals("write")) {
            try (PrintWriter w = new PrintWriter(new FileWriter(a[6]))) {
                int t = 0;
                for (Rating r : g.take(n)) {
                    w.printf("%s\t%s\t%d\t%d%n", r.user().substring(1), r.item().substring(1), (int) r.label(), 1000000 + t++);
                }
            }
            return;
        }
        Map<String, Set<String>> seen = new HashMap<>();
        Set<String> known = new HashSet<>();
        long evaluated = 0;
        long hits = 0;
        for (Rating r : g.take(n)) {
            if (r.label() < 1) {
                continue;
            }
            Set<String> s = seen.computeIfAbsent(r.user(), k -> new HashSet<>());
            if (!s.isEmpty()) {
                evaluated++;
                if (known.contains(r.item()) && !s.contains(r.item())) {
                    double t = planted(g, r.user(), r.item());
                    int ahead = 0;
                    for (String j : known) {
                        if (!j.equals(r.item()) && !s.contains(j) && planted(g, r.user(), j) > t) {
                            ahead++;
                        }
                    }
                    hits += ahead < 10 ? 1 : 0;
                }
            }
            s.add(r.item());
            known.add(r.item());
        }
        System.out.printf("planted model recall@10 %.4f evaluated %d%n", (double) hits / evaluated, evaluated);
    }

    private static double planted(SyntheticRatings g, String user, String item) {
        return g.itemProbability(Integer.parseInt(item.substring(1))) / (1 + Math.exp(-g.trueScore(user, item)));
    }
}
