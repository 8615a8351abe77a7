package io.streamrec.stream;

import io.streamrec.eval.IntSet;
import io.streamrec.eval.PrequentialRanking;
import io.streamrec.learn.Model;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A user task's sampled estimate of prequential recall@10 (the protocol of {@link PrequentialRanking}): before an
 * event is learned, its user's items are ranked against every item the task knows (its local item copy), the
 * user's earlier items left out, and a hit is the event's item in the top 10.
 *
 * <p>Sampled, to bound the cost: ranking costs one pass over the known items, so an event is ranked only once the
 * events since the last ranked one have paid for a pass at {@link #BUDGET} multiply-adds each (every event on a
 * small catalogue; 1 in 800 at 100,000 items of 32 factors). Counter-based, so it does not prefer any user or item.
 * The budget counts a whole pass; a miss stops at the tenth item found ahead, so most passes cost far less.
 *
 * <p>State: one instance per user task, in memory only. The items of each user seen since the task started are
 * kept for up to {@code maxUsers} users (least recently seen dropped): after a restart or a drop, a user's earlier
 * items are not known, their next event is not ranked, and later ones cannot leave out the items from before, so
 * the estimate can only err low. Item row numbers of the local copy are stable (items are never evicted).
 */
final class StreamRanking {
    static final int CUTOFF = 10;
    /** Ranking work per event, in multiply-adds, that the sampling keeps to on average. */
    static final long BUDGET = 4096;

    private final Map<String, IntSet> seen;
    private final PrequentialRanking window = new PrequentialRanking(CUTOFF, 1000);
    private long credit;

    StreamRanking(int maxUsers) {
        this.seen = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, IntSet> eldest) {
                return size() > maxUsers;
            }
        };
    }

    /**
     * Ranks the event when it is sampled and its user has earlier items here; {@code u} and {@code i} are the rows
     * before the event created any (-1 when missing).
     *
     * @return the rank when a hit (1 to {@link #CUTOFF}), 0 for a miss, -1 when not ranked
     */
    int evaluate(Model model, String user, int u, int i) {
        credit += BUDGET;
        if (u < 0 || credit < (long) model.items().size() * model.items().width()) {
            return -1;
        }
        IntSet mine = seen.get(user);
        if (mine == null || mine.size() == 0) {
            return -1; // the credit is kept: the next event of a user with earlier items is ranked
        }
        credit = 0;
        int rank = i < 0 || mine.contains(i) ? 0 : PrequentialRanking.rank(model, u, i, mine, CUTOFF);
        window.record(rank);
        return rank;
    }

    /** Remembers the user's item row after the event was added to the batch. */
    void seen(String user, int i) {
        seen.computeIfAbsent(user, k -> new IntSet()).add(i);
    }

    /** Recall@10 over the task's last 1,000 ranked events; NaN before the first. */
    double recall() {
        return window.metrics().windowRecall();
    }
}
