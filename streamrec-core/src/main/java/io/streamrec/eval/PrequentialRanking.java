package io.streamrec.eval;

import io.streamrec.learn.FactorTable;
import io.streamrec.learn.Model;
import java.util.ArrayList;
import java.util.List;

/**
 * Prequential top-N evaluation (the protocol of Vinagre, Jorge and Gama 2014), called for each event before the
 * model learns it: when the event's user has an earlier event in the stream, every item the model knows (the items
 * seen so far plus those of an init model) is ranked for the user, the items the user already interacted with are
 * left out, and the event is a hit when its item is among the top N. An item never seen before is a miss and still
 * counts as evaluated. recall@N is hits over evaluated events; NDCG@N (one relevant item: {@code 1/log2(1 + rank)}
 * within the top N) and MRR ({@code 1/rank}, over the whole ranking) go with it, overall and over the last
 * {@code window} evaluated events.
 *
 * <p>Ranking is by the raw score {@code b_i + p_u.q_i} (the offset and the user bias order nothing), computed as
 * {@link Model#score} does; ties go to the item first seen (the lower row), so a ranking is deterministic. The
 * cost per event is one pass over the known items, O(items x factors): each user's items are held in a hash set,
 * so leaving them out costs O(1) per candidate, never a walk of the user's history.
 */
public final class PrequentialRanking {
    private final int cutoff;
    private final int window;
    private final List<IntSet> seen = new ArrayList<>();
    private final byte[] windowHits;
    private final float[] windowNdcg;
    private final float[] windowRr;
    private int windowFill;
    private int windowNext;
    private long windowHitSum;
    private double windowNdcgSum;
    private double windowRrSum;
    private long evaluated;
    private long hits;
    private double ndcgSum;
    private double rrSum;

    /**
     * @param cutoff N of recall@N and NDCG@N, >= 1
     * @param window evaluated events in the windowed figures, >= 1
     */
    public PrequentialRanking(int cutoff, int window) {
        if (cutoff < 1) {
            throw new IllegalArgumentException("the ranking cutoff N must be >= 1, got " + cutoff);
        }
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1 events, got " + window);
        }
        this.cutoff = cutoff;
        this.window = window;
        this.windowHits = new byte[window];
        this.windowNdcg = new float[window];
        this.windowRr = new float[window];
    }

    public int cutoff() {
        return cutoff;
    }

    /**
     * Scores the event of user row {@code u} and item row {@code i} (-1 for a row the model does not have yet)
     * against {@code model} as it is now, when the user has an earlier event.
     *
     * @return the item's 1-based rank among the user's candidates, 0 for a miss by an unknown or already-seen
     *     item, or -1 when the event is not evaluated (the user's first)
     */
    public int evaluate(Model model, int u, int i) {
        IntSet mine = u >= 0 && u < seen.size() ? seen.get(u) : null;
        if (mine == null || mine.size() == 0) {
            return -1;
        }
        int rank = i < 0 || mine.contains(i) ? 0 : rank(model, u, i, mine);
        record(rank);
        return rank;
    }

    /** Remembers that user row {@code u} interacted with item row {@code i} (call after the model learned it). */
    public void seen(int u, int i) {
        while (seen.size() <= u) {
            seen.add(null);
        }
        IntSet s = seen.get(u);
        if (s == null) {
            s = new IntSet();
            seen.set(u, s);
        }
        s.add(i);
    }

    /**
     * The 1-based rank of item row {@code i} for user row {@code u} among every item row of {@code model} but those
     * in {@code exclude} (ties to the lower row), scored by {@code b_i + p_u.q_i}.
     */
    public static int rank(Model model, int u, int i, IntSet exclude) {
        return rank(model, u, i, exclude, Integer.MAX_VALUE);
    }

    /**
     * As {@link #rank(Model, int, int, IntSet)} when the rank is at most {@code cutoff}, else 0 (a miss at that
     * cutoff): the scan stops at the {@code cutoff}-th item ahead, which for a miss is usually early in the scan.
     * For a caller that needs hits at one cutoff only, not MRR.
     */
    public static int rank(Model model, int u, int i, IntSet exclude, int cutoff) {
        FactorTable items = model.items();
        float[] ip = items.params();
        float[] up = model.users().params();
        int width = items.width();
        int uo = u * width + 1;
        double target = ip[i * width] + Model.dot(up, uo, ip, i * width + 1, width - 1);
        int ahead = 0;
        int n = items.size();
        for (int j = 0; j < n; j++) {
            if (j == i) {
                continue;
            }
            double s = ip[j * width] + Model.dot(up, uo, ip, j * width + 1, width - 1);
            if ((s > target || (s == target && j < i)) && !exclude.contains(j) && ++ahead >= cutoff) {
                return 0;
            }
        }
        return ahead + 1;
    }

    /** Counts an evaluated event of 1-based {@code rank} (0 for a miss by an unknown or already-seen item). */
    public void record(int rank) {
        boolean hit = rank >= 1 && rank <= cutoff;
        float ndcg = hit ? (float) (1 / (Math.log(1 + rank) / Math.log(2))) : 0f;
        float rr = rank >= 1 ? 1f / rank : 0f;
        evaluated++;
        hits += hit ? 1 : 0;
        ndcgSum += ndcg;
        rrSum += rr;
        if (windowFill == window) {
            windowHitSum -= windowHits[windowNext];
            windowNdcgSum -= windowNdcg[windowNext];
            windowRrSum -= windowRr[windowNext];
        } else {
            windowFill++;
        }
        windowHits[windowNext] = (byte) (hit ? 1 : 0);
        windowNdcg[windowNext] = ndcg;
        windowRr[windowNext] = rr;
        windowHitSum += hit ? 1 : 0;
        windowNdcgSum += ndcg;
        windowRrSum += rr;
        windowNext = (windowNext + 1) % window;
    }

    /** The figures so far; NaN where nothing was evaluated. */
    public Metrics metrics() {
        return new Metrics(
                cutoff,
                evaluated,
                hits,
                ratio(hits, evaluated),
                ratio(ndcgSum, evaluated),
                ratio(rrSum, evaluated),
                ratio(windowHitSum, windowFill),
                ratio(windowNdcgSum, windowFill),
                ratio(windowRrSum, windowFill));
    }

    private static double ratio(double a, long n) {
        return n == 0 ? Double.NaN : a / n;
    }

    /** Ranking figures: overall, and over the last {@code window} evaluated events. */
    public record Metrics(
            int cutoff,
            long evaluated,
            long hits,
            double recall,
            double ndcg,
            double mrr,
            double windowRecall,
            double windowNdcg,
            double windowMrr) {}
}
