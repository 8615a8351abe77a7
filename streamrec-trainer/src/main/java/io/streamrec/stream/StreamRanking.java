package io.streamrec.stream;

import io.streamrec.eval.IntSet;
import io.streamrec.eval.PrequentialRanking;
import io.streamrec.learn.Model;
import java.util.HashMap;
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
 * <p>Bounded in memory by sampling users, not by dropping them: leaving out a user's earlier items needs every item
 * of theirs, so the task keeps the seen items of a hashed subset of its users, all of them until the sets hold
 * {@code maxSeen} items in all (a user counting as {@link #USER_COST} items), then half as many users each time that
 * is reached again (the users whose mixed id hash has at least {@code level} leading zero bits, a fraction
 * 2^-level; adaptive sampling by hash, as in Flajolet's and Gibbons' distinct sampling). A user's membership only
 * ever ends, so every user tracked is tracked from their first event here, and the users left are a uniform sample.
 * Dropping the least recently seen users instead, as this class did before, held up to {@code user.cache.rows} users'
 * sets (hundreds of megabytes at the default million) and, with more active users than that, ranked almost nobody: a
 * user dropped between two events is not ranked again.
 *
 * <p>State: one instance per user task, in memory only; after a restart a user's earlier items are not known, their
 * next event is not ranked, and later ones cannot leave out the items from before, so the estimate can only err low.
 * Item row numbers of the local copy are stable (items are never evicted).
 */
final class StreamRanking {
    static final int CUTOFF = 10;
    /** Ranking work per event, in multiply-adds, that the sampling keeps to on average. */
    static final long BUDGET = 4096;
    /**
     * What the seen sets of a task hold at most, in items, a user counting as {@link #USER_COST} more: about 12 MB
     * (measured for a million users of 20 items each and for three million of one; 393 MB for the first unbounded).
     */
    static final int MAX_SEEN = 1 << 20;
    /** A tracked user's map entry, id and set take about the memory of 16 items' slots. */
    static final int USER_COST = 16;

    private Map<String, IntSet> seen = new HashMap<>();
    private final int maxSeen;
    private final PrequentialRanking window = new PrequentialRanking(CUTOFF, 1000);
    private long credit;
    /** Users tracked: those whose mixed id hash has at least this many leading zero bits. */
    private int level;
    /** Items held by the seen sets, in all. */
    private long held;

    StreamRanking() {
        this(MAX_SEEN);
    }

    StreamRanking(int maxSeen) {
        if (maxSeen < 1) {
            throw new IllegalArgumentException("maxSeen must be >= 1, got " + maxSeen);
        }
        this.maxSeen = maxSeen;
    }

    /**
     * Ranks the event when it is sampled and its user has earlier items here; {@code u} and {@code i} are the rows
     * before the event created any (-1 when missing).
     *
     * @return the rank when a hit (1 to {@link #CUTOFF}), 0 for a miss, -1 when not ranked
     */
    int evaluate(Model model, String user, int u, int i) {
        credit += BUDGET;
        if (u < 0 || credit < (long) model.items().size() * model.items().width() || !tracked(user)) {
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

    /** Remembers the user's item row after the event was added to the batch, when the user is tracked. */
    void seen(String user, int i) {
        if (!tracked(user)) {
            return;
        }
        IntSet mine = seen.computeIfAbsent(user, k -> new IntSet());
        int before = mine.size();
        mine.add(i);
        held += mine.size() - before;
        if (size() <= maxSeen) {
            return;
        }
        do {
            level++;
            seen.entrySet().removeIf(e -> {
                if (tracked(e.getKey())) {
                    return false;
                }
                held -= e.getValue().size();
                return true;
            });
        } while (size() > maxSeen);
        seen = new HashMap<>(seen); // a HashMap never shrinks its table
    }

    /** Whether the user's seen items are kept at the current level. */
    boolean tracked(String user) {
        return level == 0 || Integer.numberOfLeadingZeros(mix(user.hashCode())) >= level;
    }

    /** The share of users tracked: 2^-level. */
    double trackedShare() {
        return Math.scalb(1.0, -level);
    }

    /** Items the seen sets hold, in all. */
    long held() {
        return held;
    }

    /** What {@code maxSeen} bounds: the items held plus {@link #USER_COST} per tracked user. */
    long size() {
        return held + (long) USER_COST * seen.size();
    }

    /** Recall@10 over the task's last 1,000 ranked events; NaN before the first. */
    double recall() {
        return window.metrics().windowRecall();
    }

    /** Murmur3's finalizer: spreads the bits of {@code String.hashCode}, which for short numeric ids differ little. */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }
}
