package io.streamrec.learn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiConsumer;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;

/**
 * The item basis of {@link ResidualNeighbourhood}: a PureSVD (Cremonesi, Koren and Turrin 2010) of a model's
 * residuals. It keeps, for the {@link #ITEMS} items with the most events, the pair statistics of the residuals over
 * the users who rated both, and from them computes y_i: the {@link #RANK} leading eigenvectors with positive
 * eigenvalues of the items' residual correlations, shrunk by n / (n + 100) (Koren 2008's shrinkage), each scaled by
 * the root of its eigenvalue.
 *
 * <p>When it is recomputed. The statistics are sums over all events so far, so a new batch of events moves the
 * basis in proportion to its share of them: the first basis comes after {@link #MIN_REFRESH_EVENTS} events, and
 * a new one when the events since the last reach a tenth of all events, but never sooner than
 * {@link #MIN_REFRESH_EVENTS} after it. The tracked items are chosen again
 * at each computation; an item that leaves loses its statistics, one that enters starts from none. Until the first
 * computation the first {@link #ITEMS} items seen are tracked.
 *
 * <p>How. The first basis is a full eigen decomposition. Later ones start from the last basis (it changed by a tenth
 * at most): one step of subspace iteration on it plus {@link #OVERSAMPLING} random directions, then Rayleigh-Ritz
 * (Saad, "Numerical methods for large eigenvalue problems", ch. 5). Each new basis is rotated onto the last one over
 * their shared items (orthogonal Procrustes, Schönemann 1966), so that user vectors made under the last basis keep
 * their meaning under the new one.
 *
 * <p>What it learns from: each event's user, item and residual ({@link #observe}), in one order. It keeps each
 * user's last {@link #RECENT} events on tracked items, whose residuals pair with the next one's. The same
 * observations in the same order give the same bases, bit for bit.
 *
 * <p>Kept in a store. {@link #drainChanges} gives what changed since its last call as store entries, and
 * {@link #restore} rebuilds the learner from them: a restored learner goes on exactly as the one that wrote them.
 * So one stream task can learn the basis and keep its state in a changelogged store, without a log of every
 * residual to replay ({@link ResidualBasisState}).
 *
 * <p>Memory: three floats per pair of tracked items (3 MB at 500), whatever the catalogue, and about 560 bytes for
 * each user's history. The histories are bounded ({@code maxUsers}): past the bound, the history of the user whose
 * last event on a tracked item is the oldest is dropped, and that user's next event starts a new one. A stream of
 * new users (a service open for months) therefore cannot exhaust the heap, and the eviction depends only on the
 * observations' order, so instances that read the same observations still learn the same bases. Not thread-safe,
 * except {@link #current}, which any thread may read.
 */
public final class ResidualBasis {
    /** Dimensions of the basis. */
    public static final int RANK = 32;
    /** Items the basis covers. */
    public static final int ITEMS = 500;
    /** The shortest interval, in events, between two computations. */
    public static final int MIN_REFRESH_EVENTS = 5000;
    /** A user's last events on tracked items, which pair with the next one. */
    public static final int RECENT = 50;
    /**
     * Users whose histories are kept unless told otherwise: as many as a trainer's user row cache holds by default
     * ({@code user.cache.rows}), about 560 MB at the bound.
     */
    public static final int DEFAULT_USERS = 1_000_000;

    private static final double REFRESH_GROWTH = 0.1;
    private static final int OVERSAMPLING = 16;
    private static final float SHRINKAGE = 100;

    private final long seed;
    private final Map<String, Integer> itemRows = new HashMap<>();
    private final List<String> itemIds = new ArrayList<>();
    private final int maxUsers;
    /** Users' histories, least recently extended first, at most {@link #maxUsers}. */
    final LinkedHashMap<String, History> histories;

    int[] itemEvents = new int[0];
    int[] slotOf = new int[0];
    final int[] itemOfSlot = new int[ITEMS];
    int trackedOnFirstSight;
    // Over slots, ITEMS x ITEMS: co-raters, sums of residual products, and the row item's sums of squared residuals
    // over those co-raters.
    final float[] pairCount = new float[ITEMS * ITEMS];
    final float[] pairProduct = new float[ITEMS * ITEMS];
    final float[] pairSquares = new float[ITEMS * ITEMS];

    /** The latest basis, its items in ascending row order; null before the first. */
    volatile ItemBasis current;

    long events;
    long nextRefresh = MIN_REFRESH_EVENTS;
    /** Counts extensions of histories: a history's {@code extended} orders the users as the map does. */
    long extensions;

    // What changed since the last drainChanges.
    /** Users whose histories changed, with them: reading the access-ordered map would reorder it. */
    final Map<String, History> changedUsers = new HashMap<>();

    final Set<String> droppedUsers = new HashSet<>();
    final BitSet changedItems = new BitSet();
    final BitSet changedSlots = new BitSet(ITEMS);
    boolean basisChanged;

    /** A user's last RECENT events on tracked items: item rows and residuals, a ring. */
    static final class History {
        final int[] items = new int[RECENT];
        final float[] residuals = new float[RECENT];
        int size;
        /** When it was last extended, in {@link #extensions}. */
        long extended;
    }

    /** A learner that keeps the histories of at most {@link #DEFAULT_USERS} users. */
    public ResidualBasis(long seed) {
        this(seed, DEFAULT_USERS);
    }

    /**
     * @param seed     seeds the random directions of the subspace iteration
     * @param maxUsers the most users whose histories are kept; the least recently active is dropped past it
     */
    public ResidualBasis(long seed, int maxUsers) {
        if (maxUsers < 1) {
            throw new IllegalArgumentException("maxUsers must be >= 1, got " + maxUsers);
        }
        this.seed = seed;
        this.maxUsers = maxUsers;
        this.histories = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, History> eldest) {
                if (size() <= ResidualBasis.this.maxUsers) {
                    return false;
                }
                changedUsers.remove(eldest.getKey());
                droppedUsers.add(eldest.getKey());
                return true;
            }
        };
        Arrays.fill(itemOfSlot, -1);
    }

    /**
     * Learns from one event: its user, item and residual under the model before the event. Recomputes the basis
     * when it is due, so that the next event is predicted with it.
     */
    public void observe(String user, String item, double residual) {
        int i = itemRow(item);
        countEvent(i);
        if (tracked(i)) {
            History h = histories.computeIfAbsent(user, u -> new History());
            int kept = Math.min(h.size, RECENT);
            for (int n = 0; n < kept; n++) {
                int at = (h.size - kept + n) % RECENT;
                addPair(i, residual, h.items[at], h.residuals[at]);
            }
            h.items[h.size % RECENT] = i;
            h.residuals[h.size % RECENT] = (float) residual;
            h.size++;
            h.extended = ++extensions;
            changedUsers.put(user, h);
            droppedUsers.remove(user);
        }
        events++;
        if (events == nextRefresh) {
            refresh(itemIds.size());
            nextRefresh = events + Math.max(MIN_REFRESH_EVENTS, (long) (events * REFRESH_GROWTH));
        }
    }

    /**
     * Hands {@code out} what changed since the last call (or since this learner was made or restored) as store
     * entries, a null value for an entry to delete; {@link #restore} rebuilds the learner from all entries so far.
     */
    public void drainChanges(BiConsumer<String, byte[]> out) {
        ResidualBasisState.drain(this, out);
        changedUsers.clear();
        droppedUsers.clear();
        changedItems.clear();
        changedSlots.clear();
        basisChanged = false;
    }

    /**
     * A learner as {@link #drainChanges}'s entries describe it (every entry so far, deleted ones removed), which
     * goes on exactly as the learner that wrote them; an empty store gives a new learner.
     */
    public static ResidualBasis restore(long seed, int maxUsers, Map<String, byte[]> entries) {
        ResidualBasis basis = new ResidualBasis(seed, maxUsers);
        ResidualBasisState.load(basis, entries);
        return basis;
    }

    /** The latest basis, null before the first; safe to read from any thread. */
    public ItemBasis current() {
        return current;
    }

    /** Events observed. */
    public long events() {
        return events;
    }

    /** Users whose histories are kept, at most the bound. */
    public int users() {
        return histories.size();
    }

    /** Entries of {@code user}'s history, -1 when none is kept (for tests; unlike a get, it leaves the order be). */
    int historySize(String user) {
        for (Map.Entry<String, History> e : histories.entrySet()) {
            if (e.getKey().equals(user)) {
                return Math.min(e.getValue().size, RECENT);
            }
        }
        return -1;
    }

    /** Item row {@code row}'s id. */
    String itemId(int row) {
        return itemIds.get(row);
    }

    /** Items known, in row order. */
    int itemCount() {
        return itemIds.size();
    }

    /** Adds an item as the next row. */
    int itemRow(String item) {
        Integer row = itemRows.get(item);
        if (row != null) {
            return row;
        }
        itemRows.put(item, itemIds.size());
        itemIds.add(item);
        return itemIds.size() - 1;
    }

    /** Counts an event of item row {@code i}; the first {@link #ITEMS} items are tracked from their first event. */
    private void countEvent(int i) {
        ensureItems(i + 1);
        changedItems.set(i);
        if (itemEvents[i] == 0 && slotOf[i] < 0 && trackedOnFirstSight < ITEMS) {
            slotOf[i] = trackedOnFirstSight;
            itemOfSlot[trackedOnFirstSight++] = i;
        }
        itemEvents[i]++;
    }

    /** Room for {@code n} item rows in the per-item arrays. */
    void ensureItems(int n) {
        if (n > itemEvents.length) {
            int size = Math.max(n, itemEvents.length * 2);
            int old = slotOf.length;
            itemEvents = Arrays.copyOf(itemEvents, size);
            slotOf = Arrays.copyOf(slotOf, size);
            Arrays.fill(slotOf, old, size, -1);
        }
    }

    private boolean tracked(int i) {
        return i < slotOf.length && slotOf[i] >= 0;
    }

    /** Adds a co-rating: one user's residuals on items {@code i} and {@code j}, when both are tracked. */
    private void addPair(int i, double ri, int j, double rj) {
        if (i == j || !tracked(i) || !tracked(j)) {
            return;
        }
        int ij = slotOf[i] * ITEMS + slotOf[j];
        int ji = slotOf[j] * ITEMS + slotOf[i];
        pairCount[ij]++;
        pairCount[ji]++;
        pairProduct[ij] += (float) (ri * rj);
        pairProduct[ji] += (float) (ri * rj);
        pairSquares[ij] += (float) (ri * ri);
        pairSquares[ji] += (float) (rj * rj);
        changedSlots.set(slotOf[i]);
        changedSlots.set(slotOf[j]);
    }

    /**
     * Tracks the ITEMS items with the most events (ties to the earlier row), then computes the basis over the
     * first {@code items} item rows and rotates it onto the last one.
     */
    private void refresh(int items) {
        int known = Math.min(items, itemEvents.length);
        Integer[] byEvents = new Integer[known];
        for (int x = 0; x < known; x++) {
            byEvents[x] = x;
        }
        Arrays.sort(byEvents, (a, b) -> Integer.compare(itemEvents[b], itemEvents[a]));
        boolean[] next = new boolean[known];
        for (int x = 0; x < Math.min(ITEMS, known); x++) {
            next[byEvents[x]] = true;
        }
        for (int x = 0; x < known; x++) {
            if (slotOf[x] >= 0 && !next[x]) {
                release(slotOf[x]);
                slotOf[x] = -1;
                changedItems.set(x);
            }
        }
        int free = 0;
        for (int x = 0; x < known; x++) {
            if (next[x] && slotOf[x] < 0) {
                while (itemOfSlot[free] >= 0) {
                    free++;
                }
                slotOf[x] = free;
                itemOfSlot[free] = x;
                changedItems.set(x);
            }
        }
        int[] rows = new int[ITEMS];
        int m = 0;
        for (int x = 0; x < Math.min(items, slotOf.length); x++) {
            if (slotOf[x] >= 0) {
                rows[m++] = x;
            }
        }
        rows = Arrays.copyOf(rows, m);
        DMatrixRMaj corr = correlations(rows);
        String[] ids = new String[m];
        for (int b = 0; b < m; b++) {
            ids[b] = itemIds.get(rows[b]);
        }
        ItemBasis last = current;
        double[] computed;
        if (last == null) {
            computed = fullEigen(corr);
        } else {
            // Each new basis item's place in the last basis, -1 for an item new to it.
            int[] lastPlace = new int[m];
            for (int b = 0; b < m; b++) {
                lastPlace[b] = last.indexOf(ids[b]);
            }
            computed = align(subspaceStep(corr, lastPlace, last), lastPlace, last);
        }
        current = new ItemBasis(last == null ? 0 : last.version() + 1, ids, computed);
        basisChanged = true;
    }

    /** Zeroes a slot's statistics, its row and its column: every slot's row changes. */
    private void release(int slot) {
        changedSlots.set(0, ITEMS);
        for (int x = 0; x < ITEMS; x++) {
            for (int a : new int[] {slot * ITEMS + x, x * ITEMS + slot}) {
                pairCount[a] = 0;
                pairProduct[a] = 0;
                pairSquares[a] = 0;
            }
        }
        itemOfSlot[slot] = -1;
    }

    /** The shrunk residual correlations among {@code rows}; 0 where no user rated both, and on the diagonal. */
    private DMatrixRMaj correlations(int[] rows) {
        int m = rows.length;
        DMatrixRMaj mat = new DMatrixRMaj(m, m);
        for (int a = 0; a < m; a++) {
            for (int b = 0; b < m; b++) {
                int at = slotOf[rows[a]] * ITEMS + slotOf[rows[b]];
                int mirror = slotOf[rows[b]] * ITEMS + slotOf[rows[a]];
                float n = pairCount[at];
                if (a == b || n < 1) {
                    continue;
                }
                float squares = pairSquares[at] * pairSquares[mirror];
                mat.set(a, b, pairProduct[at] / Math.sqrt(squares + 1e-9) * n / (n + SHRINKAGE));
            }
        }
        // The two halves are updated alike, up to float rounding.
        for (int a = 0; a < m; a++) {
            for (int b = a + 1; b < m; b++) {
                double v = (mat.get(a, b) + mat.get(b, a)) / 2;
                mat.set(a, b, v);
                mat.set(b, a, v);
            }
        }
        return mat;
    }

    /** The basis from a full eigen decomposition of {@code corr}. */
    private static double[] fullEigen(DMatrixRMaj corr) {
        int m = corr.numRows;
        if (m == 0) {
            return new double[0];
        }
        var eig = DecompositionFactory_DDRM.eig(m, true, true);
        if (!eig.decompose(corr)) {
            throw new IllegalStateException("eigen decomposition of the residual correlations failed");
        }
        return leadingPositive(eig, null, m);
    }

    /**
     * One step of subspace iteration from the last basis (plus random directions), then Rayleigh-Ritz: the leading
     * Ritz pairs of {@code corr} on the subspace that step reaches.
     */
    private double[] subspaceStep(DMatrixRMaj corr, int[] lastPlace, ItemBasis last) {
        int m = lastPlace.length;
        int p = RANK + OVERSAMPLING;
        if (m <= p) {
            return fullEigen(corr);
        }
        // The small random part keeps every column nonzero (the last basis may have fewer than RANK directions) and
        // gives the items new to the basis a start.
        Random random = new Random(seed ^ events);
        DMatrixRMaj start = new DMatrixRMaj(m, p);
        for (int a = 0; a < m; a++) {
            int b = lastPlace[a];
            for (int c = 0; c < p; c++) {
                double was = c < RANK && b >= 0 ? last.coordinate(b, c) : 0;
                start.set(a, c, was + random.nextGaussian() * 1e-3);
            }
        }
        DMatrixRMaj stepped = new DMatrixRMaj(m, p);
        CommonOps_DDRM.mult(corr, orthonormal(start), stepped);
        DMatrixRMaj q = orthonormal(stepped);
        DMatrixRMaj cq = new DMatrixRMaj(m, p);
        CommonOps_DDRM.mult(corr, q, cq);
        DMatrixRMaj small = new DMatrixRMaj(p, p);
        CommonOps_DDRM.multTransA(q, cq, small);
        for (int a = 0; a < p; a++) {
            for (int b = a + 1; b < p; b++) {
                double v = (small.get(a, b) + small.get(b, a)) / 2;
                small.set(a, b, v);
                small.set(b, a, v);
            }
        }
        var eig = DecompositionFactory_DDRM.eig(p, true, true);
        if (!eig.decompose(small)) {
            throw new IllegalStateException("eigen decomposition of the Rayleigh quotient failed");
        }
        return leadingPositive(eig, q, m);
    }

    /**
     * The eigenvectors of the RANK largest eigenvalues by magnitude, the negative ones left out (a client's dot
     * product cannot subtract), scaled by the root of the eigenvalue; mapped through {@code q} when given.
     */
    private static double[] leadingPositive(
            org.ejml.interfaces.decomposition.EigenDecomposition_F64<DMatrixRMaj> eig, DMatrixRMaj q, int m) {
        int n = eig.getNumberOfEigenvalues();
        Integer[] order = new Integer[n];
        for (int x = 0; x < n; x++) {
            order[x] = x;
        }
        Arrays.sort(
                order,
                (x, y) -> Double.compare(
                        Math.abs(eig.getEigenvalue(y).getReal()),
                        Math.abs(eig.getEigenvalue(x).getReal())));
        double[] out = new double[m * RANK];
        int c = 0;
        for (int t = 0; t < n && c < RANK; t++) {
            double lambda = eig.getEigenvalue(order[t]).getReal();
            if (lambda < 0) {
                continue;
            }
            DMatrixRMaj v = eig.getEigenVector(order[t]);
            double scale = Math.sqrt(lambda);
            for (int a = 0; a < m; a++) {
                double x = 0;
                if (q == null) {
                    x = v.get(a, 0);
                } else {
                    for (int j = 0; j < n; j++) {
                        x += q.get(a, j) * v.get(j, 0);
                    }
                }
                out[a * RANK + c] = x * scale;
            }
            c++;
        }
        return out;
    }

    private static DMatrixRMaj orthonormal(DMatrixRMaj a) {
        var qr = DecompositionFactory_DDRM.qr(a.numRows, a.numCols);
        if (!qr.decompose(a.copy())) {
            throw new IllegalStateException("QR decomposition failed");
        }
        return qr.getQ(null, true);
    }

    /**
     * The new basis rotated onto the last one over the items they share: Q N with Q = U V^T from the SVD of O N^T,
     * so the dot products under the new basis stay close to what they were under the last.
     */
    private static double[] align(double[] next, int[] lastPlace, ItemBasis last) {
        int m = lastPlace.length;
        DMatrixRMaj a = new DMatrixRMaj(RANK, RANK);
        for (int x = 0; x < RANK; x++) {
            for (int y = 0; y < RANK; y++) {
                double v = 0;
                for (int q = 0; q < m; q++) {
                    if (lastPlace[q] >= 0) {
                        v += last.coordinate(lastPlace[q], x) * next[q * RANK + y];
                    }
                }
                a.set(x, y, v);
            }
        }
        var svd = DecompositionFactory_DDRM.svd(RANK, RANK, true, true, false);
        if (!svd.decompose(a)) {
            throw new IllegalStateException("SVD for the basis's rotation failed");
        }
        DMatrixRMaj q = new DMatrixRMaj(RANK, RANK);
        CommonOps_DDRM.multTransB(svd.getU(null, false), svd.getV(null, false), q);
        double[] out = new double[next.length];
        for (int x = 0; x < RANK; x++) {
            for (int y = 0; y < RANK; y++) {
                double w = q.get(x, y);
                for (int item = 0; item < m; item++) {
                    out[item * RANK + x] += w * next[item * RANK + y];
                }
            }
        }
        return out;
    }
}
