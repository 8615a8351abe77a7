package io.streamrec.learn;

import io.streamrec.model.RowKind;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What a FISM learner keeps besides the model's rows (Kabbur, Ning and Karypis 2013): the context vector
 * {@code y_j} of each item, and per user the sum {@code S_u} of the context vectors of the user's items and the
 * item history. The user row the model serves is {@code p_u = |N_u|^-alpha S_u} ({@link #writeUserRow}); see
 * {@link FismLearner} for how the learners step these.
 *
 * <p>Users are kept by id, not by row number, so that a stream task may drop and reload user rows (their numbers
 * move). Item rows are numbers of the learner's item table, which never drops rows. A history keeps the latest
 * {@link #MAX_HISTORY} distinct items: past that the oldest leaves the history (it takes no more steps), while what
 * it added to the sum stays, so a very active user costs bounded time per event.
 *
 * <p>Not thread-safe.
 */
public final class FismState {
    /** Most items a user's history keeps (the per-event cost is {@code O(k |N_u|)}). */
    public static final int MAX_HISTORY = 1024;

    private final int width;
    private final double alpha;
    private final RowInitializer contextInit;
    private final Map<String, User> users = new HashMap<>();
    /** Context vectors by item row, laid out as the item table (slot 0 unused). */
    private float[] context = new float[0];

    private int contextRows;
    /** Item rows whose context vector stepped since {@link #drainChangedContexts}. */
    private final java.util.BitSet changed = new java.util.BitSet();

    /** A user's sum of context vectors (slot 0 unused), the number of distinct items it covers and the history. */
    public static final class User {
        final float[] sum;

        /** A copy of the sum of context vectors (slot 0 unused). */
        public float[] sum() {
            return sum.clone();
        }

        int[] items = new int[8];
        int size;
        /** Distinct items the sum took, the history's dropped ones included: the {@code |N_u|} of the scale. */
        int count;

        User(int width) {
            this.sum = new float[width];
        }

        public int count() {
            return count;
        }

        /** The item rows of the history, oldest first. */
        public int[] items() {
            return Arrays.copyOf(items, size);
        }

        boolean contains(int item) {
            for (int h = 0; h < size; h++) {
                if (items[h] == item) {
                    return true;
                }
            }
            return false;
        }
    }

    public FismState(Hyperparameters hyper, double alpha) {
        this.width = hyper.width();
        this.alpha = alpha;
        // Another seed than the item rows', so that y_j starts apart from q_j.
        this.contextInit = new RowInitializer(hyper.seed() ^ 0x6A09E667F3BCC909L, hyper.initStd());
    }

    /** The user's state, empty for a user not seen (or dropped) before. */
    public User user(String id) {
        return users.computeIfAbsent(id, k -> new User(width));
    }

    /** The user's state if held, else null. */
    public User find(String id) {
        return users.get(id);
    }

    /** Forgets a user (dropped from memory, or expired). */
    public void drop(String id) {
        users.remove(id);
    }

    public int users() {
        return users.size();
    }

    /** The exponent of {@code |N_u|^-alpha}. */
    public double alpha() {
        return alpha;
    }

    /** Floats a context vector or a sum takes (slot 0 unused), the model's row width. */
    public int width() {
        return width;
    }

    /** Checks that this state's vectors have the width of {@code hyper}'s rows, the model it goes with. */
    void checkFits(Hyperparameters hyper) {
        if (width != hyper.width()) {
            throw new IllegalArgumentException(
                    "the fism state's width " + width + " is not the model's " + hyper.width());
        }
    }

    /** Every user held, by id (for {@link ModelSnapshot}). */
    Map<String, User> userMap() {
        return users;
    }

    /** Hands every user held to {@code each}, with its id. */
    public void forEachUser(BiConsumer<String, User> each) {
        users.forEach(each);
    }

    /** Restores a user from what was saved: the count, the sum ({@code width} floats, slot 0 unused), the history. */
    public User restore(String id, int count, float[] sum, int[] items) {
        User s = new User(width);
        s.count = count;
        System.arraycopy(sum, 1, s.sum, 1, width - 1);
        s.items = Arrays.copyOf(items, Math.max(8, items.length));
        s.size = items.length;
        users.put(id, s);
        return s;
    }

    /** Keeps only the users {@code keep} accepts (the others were saved; they are restored when needed). */
    public void retainUsers(java.util.function.Predicate<String> keep) {
        users.keySet().removeIf(id -> !keep.test(id));
    }

    /** Hands each item row whose context vector changed since the last call to {@code row}, and forgets them. */
    public void drainChangedContexts(java.util.function.IntConsumer row) {
        for (int r = changed.nextSetBit(0); r >= 0; r = changed.nextSetBit(r + 1)) {
            row.accept(r);
        }
        changed.clear();
    }

    /** {@code |N_u|^-alpha}, 0 for an empty history. */
    float scale(User s) {
        return s.count == 0 ? 0f : (float) Math.pow(s.count, -alpha);
    }

    /**
     * {@code x = (b_i + p.q_i) - (b_j + p.q_j)} of a BPR pair, with {@code p = scale * sum} and the item rows at
     * {@code io} and {@code jo} of {@code itemParams}.
     */
    double pairScore(float[] sum, float scale, float[] itemParams, int io, int jo) {
        double x = itemParams[io] - itemParams[jo];
        for (int f = 1; f < width; f++) {
            x += scale * sum[f] * (itemParams[io + f] - itemParams[jo + f]);
        }
        return x;
    }

    /**
     * Ends a user's event on item row {@code i}: the history takes the event's {@code taken} steps (their
     * decay-weighted sum {@code stepSum}), {@code i} joins the history, and the served row is written.
     */
    void endEvent(User s, int i, int taken, float decay, float rate, float[] stepSum, float[] userParams, int offset) {
        if (s.size > 0 && taken > 0) {
            stepHistory(s, (float) Math.pow(decay, taken), rate, stepSum);
        }
        add(s, i);
        writeUserRow(s, userParams, offset);
    }

    /** Adds item row {@code i} to the user's history and its context vector to the sum, once per item. */
    private void add(User s, int i) {
        if (s.contains(i)) {
            return;
        }
        ensureContext(i + 1, null);
        if (s.size == MAX_HISTORY) {
            System.arraycopy(s.items, 1, s.items, 0, s.size - 1);
            s.size--;
        } else if (s.size == s.items.length) {
            s.items = Arrays.copyOf(s.items, s.items.length * 2);
        }
        s.items[s.size++] = i;
        s.count++;
        int o = i * width;
        for (int f = 1; f < width; f++) {
            s.sum[f] += context[o + f];
        }
    }

    /** Every history vector takes an event's steps at once: {@code y <- decayN y - rate * stepSum}. */
    private void stepHistory(User s, float decayN, float rate, float[] stepSum) {
        for (int h = 0; h < s.size; h++) {
            changed.set(s.items[h]);
            int o = s.items[h] * width;
            for (int f = 1; f < width; f++) {
                context[o + f] = decayN * context[o + f] - rate * stepSum[f];
            }
        }
    }

    /** Writes {@code p_u = |N_u|^-alpha S_u} into a user row (bias 0: the user bias cancels in BPR). */
    private void writeUserRow(User s, float[] userParams, int offset) {
        float scale = scale(s);
        userParams[offset] = 0f;
        for (int f = 1; f < width; f++) {
            userParams[offset + f] = scale * s.sum[f];
        }
    }

    /** Creates the context vectors of item rows up to {@code rows}, seeded by the item's id. */
    void ensureContext(int rows, FactorTable items) {
        if (rows <= contextRows) {
            return;
        }
        if (items == null) {
            throw new IllegalStateException("item row " + (rows - 1) + " has no context vector yet");
        }
        if (rows * width > context.length) {
            context = Arrays.copyOf(context, Math.max(rows, contextRows * 2) * width);
        }
        for (int r = contextRows; r < rows; r++) {
            contextInit.init(RowKind.ITEM, items.id(r), context, r * width, width);
        }
        contextRows = rows;
    }

    /** A copy of item row {@code i}'s context vector (slot 0 unused). */
    public float[] context(int i) {
        return Arrays.copyOfRange(context, i * width, (i + 1) * width);
    }

    /** Replaces item row {@code i}'s context vector (restoring saved state); the row must exist in {@code items}. */
    public void setContext(int i, float[] vector, FactorTable items) {
        ensureContext(i + 1, items);
        System.arraycopy(vector, 1, context, i * width + 1, width - 1);
    }
}
