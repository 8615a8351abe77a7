package io.streamrec.learn;

import io.streamrec.model.ModelKind;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A layer on a biased MF model's predictions that learns what the model's residuals still hold
 * (docs/neighbourhood.md): the user's recent level, and a low-rank item-item neighbourhood of the residuals. The
 * corrected prediction for user u and item i is
 *
 * <pre>model score + beta . f_u + gamma (y_i . s_u) / (1 + sqrt m_u)</pre>
 *
 * <ul>
 *   <li>f_u, the user's recent level: the user's last residual and three moving averages of their residuals (rates
 *       0.5, 0.2, 0.05). Users rate in sessions, and within one their level drifts faster than a bias learns.
 *   <li>y_i, the item's coordinates in the latest {@link ItemBasis}, which a {@link ResidualBasis} learns from every
 *       user's residuals.
 *   <li>s_u, the user vector: the sum over the user's last {@link ResidualBasis#RECENT} events on basis items (items
 *       of the basis at the time of the event, and still in it) of each event's residual under the rows times y_j;
 *       m_u the number of those events (Koren 2008's neighbourhood on residuals, through the basis). It is updated
 *       at each of the user's events, before the model learns it, and kept as it is until the next one, as a client
 *       holding the published rows would see it. Each entry keeps its last residual; an event computes its own and
 *       those of {@link #REFRESH} earlier entries in turn (none older than 50 / 10 of the user's events), and s_u
 *       follows as a running sum, made again from every entry at a new basis. All 50 at every event cost five times
 *       the multiply-adds for the same figures on three files (docs/benchmarks.md, "A cheaper s_u").
 *   <li>beta and gamma: one {@link ResidualFit} of the model's residual on the five features, refitted at every
 *       event of a user with an earlier one.
 * </ul>
 *
 * <p>No setting was searched on a data file: the averages' rates and the history's length were set before any run,
 * and the rest are the basis's (see there).
 *
 * <p>Lifecycle, per event in order: {@link #predict} with the row numbers before the event (-1 for an unseen row),
 * then, with the event's rows created but before the model learns the event, {@link #learn}. Users are kept by id,
 * so a stream task may drop and reload user rows. Not thread-safe.
 */
public final class ResidualNeighbourhood {
    private static final int RANK = ResidualBasis.RANK;
    private static final int RECENT = ResidualBasis.RECENT;
    private static final double[] RATES = {0.5, 0.2, 0.05};
    /** Earlier history entries whose residuals an event computes again, in turn. */
    static final int REFRESH = 10;
    /**
     * Coordinates a published row carries beyond the model's, so that a client's dot product includes the layer:
     * a user's are [beta . f_u, gamma s_u / (1 + sqrt m_u)], an item's [1, y_i] (y_i = 0 outside the basis).
     */
    public static final int SERVED_TAIL = 1 + ResidualBasis.RANK;

    /** Level features: the last residual and the moving averages. */
    public static final int LEVELS = 1 + RATES.length;

    private static final int FEATURES = LEVELS + 1;

    /** Receives each event's residual, for the basis: the user and item ids and the label less the model's score. */
    @FunctionalInterface
    public interface ResidualSink {
        void residual(String user, String item, double residual);
    }

    private final Model model;
    private final Supplier<ItemBasis> basis;
    private final ResidualSink sink;
    private final ResidualFit fit = new ResidualFit(FEATURES);
    private final Map<String, UserState> users = new HashMap<>();
    /** The features of the event just predicted, for its {@link #learn}. */
    private final double[] features = new double[FEATURES];

    /** Each item row's place in {@link #cachedBasis}: -2 not looked up yet, -1 not a basis item. */
    private int[] placeOfRow = new int[0];

    private ItemBasis cachedBasis;

    /** What the layer keeps of one user. */
    private static final class UserState {
        int events;
        final double[] level = new double[LEVELS];
        final double[] vector = new double[RANK];
        /** Events of the history s_u was made from that are in the basis: m_u. */
        int inBasis;

        final int[] items = new int[RECENT];
        final float[] labels = new float[RECENT];
        /** Each entry's residual as last computed, in {@link #vector}; NaN for one not computed yet. */
        final float[] residuals = new float[RECENT];

        int size;
        /** The basis {@link #vector} is a sum in; null when it must be made again from every entry. */
        ItemBasis madeWith;
        /** The entry refreshed last, counted from the oldest kept. */
        int cursor;
    }

    /**
     * A layer that learns its own basis from the events it learns: the offline form ({@code evaluate}), where one
     * process sees every event.
     */
    public ResidualNeighbourhood(Model model) {
        this(model, new ResidualBasis(model.hyper().seed()));
    }

    private ResidualNeighbourhood(Model model, ResidualBasis own) {
        this(model, own::current, own::observe);
    }

    /**
     * A layer whose basis is learned elsewhere: {@code basis} gives the latest one (null before the first), and
     * {@code sink} receives each event's residual for whatever learns it.
     */
    public ResidualNeighbourhood(Model model, Supplier<ItemBasis> basis, ResidualSink sink) {
        if (model.hyper().kind() != ModelKind.BIASED_MF) {
            throw new IllegalArgumentException("the residual neighbourhood is for biased-mf, got "
                    + model.hyper().kind().id());
        }
        this.model = model;
        this.basis = basis;
        this.sink = sink;
    }

    /**
     * The correction to add to the model's score for user row {@code u} and item row {@code i} (-1: unseen), before
     * the event is learned. Every event must pass here, then through {@link #learn}.
     */
    public double predict(int u, int i) {
        return predict(u < 0 ? null : model.users().id(u), i);
    }

    /** {@link #predict(int, int)} for a user known by id ({@code null}: unseen), which saves looking the id up. */
    public double predict(String user, int i) {
        Arrays.fill(features, 0);
        UserState state = user == null ? null : users.get(user);
        if (state == null || state.events == 0) {
            return 0;
        }
        System.arraycopy(state.level, 0, features, 0, LEVELS);
        ItemBasis now = basis();
        int b = i < 0 || now == null ? -1 : place(now, i);
        if (b >= 0) {
            features[LEVELS] = now.dot(b, state.vector, 0) / (1 + Math.sqrt(state.inBasis));
        }
        return fit.predict(features);
    }

    /**
     * Learns the event just predicted: user row {@code u} and item row {@code i} (both exist now), its label and
     * the model's score that {@link #predict} corrected ({@code plain}). Call it before the model learns the event.
     */
    public void learn(int u, int i, float label, double plain) {
        learn(model.users().id(u), u, model.items().id(i), i, label, plain);
    }

    /** {@link #learn(int, int, float, double)} with the user's and the item's ids, which saves looking them up. */
    public void learn(String user, int u, String item, int i, float label, double plain) {
        UserState state = users.computeIfAbsent(user, id -> new UserState());
        double res = label - plain;
        if (state.events > 0) {
            fit.add(features, res);
        }
        ItemBasis now = basis();
        if (now != null && place(now, i) >= 0) {
            int at = state.size % RECENT;
            if (state.size >= RECENT && state.madeWith == now) {
                leave(state, at, now);
            }
            state.items[at] = i;
            state.labels[at] = label;
            state.residuals[at] = Float.NaN;
            state.size++;
            if (state.madeWith == now) {
                state.inBasis++;
            }
        }
        if (now != null) {
            updateUserVector(state, u, now);
        }
        for (int r = 0; r < RATES.length; r++) {
            state.level[1 + r] = state.events == 0 ? res : (1 - RATES[r]) * state.level[1 + r] + RATES[r] * res;
        }
        state.level[0] = res;
        state.events++;
        sink.residual(user, item, res);
    }

    /** The fitted weights: the last residual, the three averages, then the neighbourhood's gamma. */
    public double[] weights() {
        return fit.weights();
    }

    /**
     * Writes {@code user}'s {@link #SERVED_TAIL} coordinates into {@code out} from {@code off}: with an item's
     * ({@link #itemTail}), their dot product is the correction {@link #predict} gives now (zeros for a user the layer
     * holds nothing of).
     */
    public void userTail(String user, float[] out, int off) {
        Arrays.fill(out, off, off + SERVED_TAIL, 0f);
        UserState s = users.get(user);
        if (s == null || s.events == 0) {
            return;
        }
        double[] w = fit.weights();
        double level = 0;
        for (int f = 0; f < LEVELS; f++) {
            level += w[f] * s.level[f];
        }
        out[off] = (float) level;
        double scale = w[LEVELS] / (1 + Math.sqrt(s.inBasis));
        for (int c = 0; c < RANK; c++) {
            out[off + 1 + c] = (float) (scale * s.vector[c]);
        }
    }

    /** Writes {@code item}'s {@link #SERVED_TAIL} coordinates in {@code basis} (null: none yet) into {@code out}. */
    public static void itemTail(ItemBasis basis, String item, float[] out, int off) {
        Arrays.fill(out, off, off + SERVED_TAIL, 0f);
        out[off] = 1f;
        int b = basis == null ? -1 : basis.indexOf(item);
        for (int c = 0; b >= 0 && c < RANK; c++) {
            out[off + 1 + c] = (float) basis.coordinate(b, c);
        }
    }

    /** Users the layer keeps. */
    public int users() {
        return users.size();
    }

    /**
     * What the layer keeps of one user, by value: events learned, the level features, s_u and m_u, and the history
     * (item rows and labels, oldest first).
     */
    public record SavedUser(int events, double[] level, double[] vector, int inBasis, int[] items, float[] labels) {}

    /** Whether the layer holds {@code user}'s state. */
    public boolean knows(String user) {
        return users.containsKey(user);
    }

    /** {@code user}'s state, or null when the layer holds none. */
    public SavedUser save(String user) {
        UserState s = users.get(user);
        if (s == null) {
            return null;
        }
        int kept = Math.min(s.size, RECENT);
        int[] items = new int[kept];
        float[] labels = new float[kept];
        for (int h = 0; h < kept; h++) {
            int at = (s.size - kept + h) % RECENT;
            items[h] = s.items[at];
            labels[h] = s.labels[at];
        }
        return new SavedUser(s.events, s.level.clone(), s.vector.clone(), s.inBasis, items, labels);
    }

    /** Holds {@code saved} as {@code user}'s state, as {@link #save} gave it (its item rows in this model). */
    public void restore(String user, SavedUser saved) {
        if (saved.level().length != LEVELS
                || saved.vector().length != RANK
                || saved.items().length > RECENT
                || saved.items().length != saved.labels().length) {
            throw new IllegalArgumentException("not a saved user of this layer: " + saved.level().length
                    + " level features, " + saved.vector().length + " coordinates, " + saved.items().length
                    + " history items");
        }
        UserState s = new UserState();
        s.events = saved.events();
        System.arraycopy(saved.level(), 0, s.level, 0, LEVELS);
        System.arraycopy(saved.vector(), 0, s.vector, 0, RANK);
        s.inBasis = saved.inBasis();
        System.arraycopy(saved.items(), 0, s.items, 0, saved.items().length);
        System.arraycopy(saved.labels(), 0, s.labels, 0, saved.labels().length);
        s.size = saved.items().length;
        users.put(user, s);
    }

    /** Keeps only the users {@code keep} accepts (the others' state was saved, or is to be forgotten). */
    public void retainUsers(Predicate<String> keep) {
        users.keySet().removeIf(keep.negate());
    }

    /** The fit's statistics ({@link ResidualFit#sums}). */
    public double[] fitSums() {
        return fit.sums();
    }

    /** Restores the fit's statistics ({@link ResidualFit#restore}). */
    public void restoreFit(double[] sums) {
        fit.restore(sums);
    }

    /**
     * Brings s_u up to date at one of the user's events: made again from every entry under a new basis; otherwise the
     * new entry's residual and {@link #REFRESH} earlier ones, in turn, computed under the rows as they are now, each
     * change added to the running sum.
     */
    private void updateUserVector(UserState user, int u, ItemBasis now) {
        int kept = Math.min(user.size, RECENT);
        float[] userParams = model.users().params();
        int width = model.hyper().width();
        double base = model.offset() + userParams[u * width];
        if (user.madeWith != now) {
            Arrays.fill(user.vector, 0);
            int inBasis = 0;
            for (int h = 0; h < kept; h++) {
                int at = (user.size - kept + h) % RECENT;
                user.residuals[at] = Float.NaN;
                if (refresh(user, at, u, base, now)) {
                    inBasis++;
                }
            }
            user.inBasis = inBasis;
            user.madeWith = now;
            return;
        }
        int newest = (user.size - 1) % RECENT;
        if (kept > 0 && Float.isNaN(user.residuals[newest])) {
            // This event's own entry.
            refresh(user, newest, u, base, now);
        }
        for (int n = 0; n < Math.min(REFRESH, kept); n++) {
            user.cursor = (user.cursor + 1) % kept;
            refresh(user, (user.size - kept + user.cursor) % RECENT, u, base, now);
        }
    }

    /**
     * Computes entry {@code at}'s residual again and moves s_u by its change; false when its item is not in the
     * basis (it is then not in s_u).
     */
    private boolean refresh(UserState user, int at, int u, double base, ItemBasis now) {
        int j = user.items[at];
        int b = place(now, j);
        if (b < 0) {
            return false;
        }
        float[] itemParams = model.items().params();
        int width = model.hyper().width();
        double score =
                base + itemParams[j * width] + dot(model.users().params(), u * width, itemParams, j * width, width);
        float residual = (float) (user.labels[at] - score);
        float was = user.residuals[at];
        now.addScaled(b, Float.isNaN(was) ? residual : (double) residual - was, user.vector, 0);
        user.residuals[at] = residual;
        return true;
    }

    /**
     * For tests: {@code user}'s s_u as kept, then the same summed afresh from the entries' kept residuals, then m_u
     * and the number of entries in the basis.
     */
    double[][] vectorAndEntrySum(String user) {
        UserState state = users.get(user);
        ItemBasis now = state.madeWith;
        double[] sum = new double[RANK];
        int inBasis = 0;
        int kept = Math.min(state.size, RECENT);
        for (int h = 0; h < kept && now != null; h++) {
            int at = (state.size - kept + h) % RECENT;
            int b = now.indexOf(model.items().id(state.items[at]));
            if (b >= 0) {
                now.addScaled(b, state.residuals[at], sum, 0);
                inBasis++;
            }
        }
        return new double[][] {state.vector.clone(), sum, {state.inBasis, inBasis}};
    }

    /** Takes the entry at {@code at}, about to be overwritten, out of s_u. */
    private void leave(UserState user, int at, ItemBasis now) {
        int b = place(now, user.items[at]);
        if (b >= 0) {
            if (!Float.isNaN(user.residuals[at])) {
                now.addScaled(b, -user.residuals[at], user.vector, 0);
            }
            user.inBasis--;
        }
    }

    /**
     * The rows' dot product past the bias, in four independent sums: the model's score up to float rounding, at a
     * quarter of a single sum's latency (this runs for each of the user's last events at every event).
     */
    private static float dot(float[] a, int ao, float[] b, int bo, int width) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int f = 1;
        for (; f + 3 < width; f += 4) {
            s0 += a[ao + f] * b[bo + f];
            s1 += a[ao + f + 1] * b[bo + f + 1];
            s2 += a[ao + f + 2] * b[bo + f + 2];
            s3 += a[ao + f + 3] * b[bo + f + 3];
        }
        for (; f < width; f++) {
            s0 += a[ao + f] * b[bo + f];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private ItemBasis basis() {
        ItemBasis now = basis.get();
        if (now != cachedBasis) {
            cachedBasis = now;
            Arrays.fill(placeOfRow, -2);
        }
        return now;
    }

    /** Item row {@code i}'s place in the cached basis (item rows never move), -1 when it is not a basis item. */
    private int place(ItemBasis now, int i) {
        if (i >= placeOfRow.length) {
            int old = placeOfRow.length;
            placeOfRow = Arrays.copyOf(placeOfRow, Math.max(i + 1, old * 2));
            Arrays.fill(placeOfRow, old, placeOfRow.length, -2);
        }
        if (placeOfRow[i] == -2) {
            placeOfRow[i] = now.indexOf(model.items().id(i));
        }
        return placeOfRow[i];
    }
}
