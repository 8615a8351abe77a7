package io.streamrec.learn;

import io.streamrec.model.ModelKind;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;

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
 *   <li>y_i, the basis: the {@link #RANK} leading eigenvectors with positive eigenvalues (scaled by the root of the
 *       eigenvalue) of the item-item correlations of the residuals over the users who rated both, shrunk by n / (n +
 *       100) (Koren 2008's shrinkage): a PureSVD (Cremonesi, Koren and Turrin 2010) of the residuals. It covers the
 *       {@link #BASIS_ITEMS} items with the most events and is recomputed every {@link #REFRESH_EVENTS} events; each
 *       new basis is rotated onto the one before (orthogonal Procrustes), so a user vector published under the old
 *       one keeps its meaning.
 *   <li>s_u, the user vector: the sum over the user's last {@link #RECENT} events on basis items of the event's
 *       residual under the rows as they are now times y_j; m_u the number of those events. It is recomputed at each
 *       of the user's events, before the model learns it, and kept as it is until the next one, as a client holding
 *       the published rows would see it.
 *   <li>beta and gamma: one ridge regression (unit ridge) of the model's residual on the five features, refitted at
 *       every event of a user with an earlier one.
 * </ul>
 *
 * <p>None of the settings was searched on a data file: the shrinkage is Koren's, the rank is the model's number of
 * factors, the averages' rates and the history's length were set before any run, and the basis's size bounds the
 * pair statistics' memory ({@link #BASIS_ITEMS} squared, three floats each) whatever the catalogue.
 *
 * <p>Lifecycle, per event in order: {@link #predict} with the row numbers before the event (-1 for an unseen row),
 * then, with the event's rows created but before the model learns the event, {@link #learn}. Not thread-safe.
 */
public final class ResidualNeighbourhood {
    /** Dimensions of the basis. */
    public static final int RANK = 32;
    /** Items the basis covers: the ones with the most events. */
    public static final int BASIS_ITEMS = 500;
    /** Events between two computations of the basis. */
    public static final int REFRESH_EVENTS = 5000;
    /** A user's events on basis items that make s_u. */
    public static final int RECENT = 50;

    private static final float SHRINKAGE = 100;
    private static final double[] RATES = {0.5, 0.2, 0.05};
    private static final int LEVELS = 1 + RATES.length;
    private static final int FEATURES = LEVELS + 1;

    private final Model model;

    // Per user row.
    private int[] userEvents = new int[0];
    private double[] level = new double[0];
    private double[] userVector = new double[0];
    private int[] historySize = new int[0];
    private int[] historyItem = new int[0];
    private double[] historyResidual = new double[0];
    private float[] historyLabel = new float[0];

    // Per item row: events so far, and the item's slot in the pair statistics (-1 when not tracked).
    private int[] itemEvents = new int[0];
    private int[] slotOf = new int[0];
    private final int[] itemOfSlot = new int[BASIS_ITEMS];
    private int trackedOnFirstSight;
    // Over slots, BASIS_ITEMS x BASIS_ITEMS: co-raters, sums of residual products, and the row item's sums of squared
    // residuals over those co-raters.
    private final float[] pairCount = new float[BASIS_ITEMS * BASIS_ITEMS];
    private final float[] pairProduct = new float[BASIS_ITEMS * BASIS_ITEMS];
    private final float[] pairSquares = new float[BASIS_ITEMS * BASIS_ITEMS];

    // The basis: its items in ascending row order and their RANK coordinates; basisIndex maps an item row to its place.
    private int[] basisItems;
    private double[] basisCoords;
    private int[] basisIndex = new int[0];

    private final double[][] xtx = new double[FEATURES][FEATURES];
    private final double[] xty = new double[FEATURES];
    private double[] weights = new double[FEATURES];
    private final double[] features = new double[FEATURES];
    private long events;

    /** @param model the model whose residuals the layer learns; it reads the rows as they are at each event */
    public ResidualNeighbourhood(Model model) {
        if (model.hyper().kind() != ModelKind.BIASED_MF) {
            throw new IllegalArgumentException("the residual neighbourhood is for biased-mf, got "
                    + model.hyper().kind().id());
        }
        this.model = model;
        Arrays.fill(itemOfSlot, -1);
    }

    /**
     * The correction to add to the model's score for user row {@code u} and item row {@code i} (-1: unseen), before
     * the event is learned. Every event must pass here, then through {@link #learn}.
     */
    public double predict(int u, int i) {
        if (events > 0 && events % REFRESH_EVENTS == 0) {
            refresh(model.items().size());
        }
        events++;
        Arrays.fill(features, 0);
        if (u < 0 || u >= userEvents.length || userEvents[u] == 0) {
            return 0;
        }
        System.arraycopy(level, u * LEVELS, features, 0, LEVELS);
        int b = i >= 0 && i < basisIndex.length ? basisIndex[i] : -1;
        if (b >= 0) {
            double dot = 0;
            for (int c = 0; c < RANK; c++) {
                dot += basisCoords[b * RANK + c] * userVector[u * RANK + c];
            }
            features[LEVELS] = dot / (1 + Math.sqrt(Math.min(historySize[u], RECENT)));
        }
        double s = 0;
        for (int f = 0; f < FEATURES; f++) {
            s += weights[f] * features[f];
        }
        return s;
    }

    /**
     * Learns the event just predicted: user row {@code u} and item row {@code i} (both exist now), its label and
     * the model's score before the event ({@code plain}, the score {@link #predict} corrected). Call it before the
     * model learns the event: s_u is made from the rows as the prediction saw them.
     */
    public void learn(int u, int i, float label, double plain) {
        grow(u, i);
        double res = label - plain;
        int seen = userEvents[u];
        if (seen > 0) {
            for (int a = 0; a < FEATURES; a++) {
                xty[a] += features[a] * res;
                for (int b = 0; b < FEATURES; b++) {
                    xtx[a][b] += features[a] * features[b];
                }
            }
            weights = ridge(xtx, xty);
        }
        int history = Math.min(historySize[u], RECENT);
        int si = slotOf[i];
        if (si >= 0) {
            for (int h = 0; h < history; h++) {
                int at = historyAt(u, h);
                int sj = slotOf[historyItem[at]];
                if (historyItem[at] == i || sj < 0) {
                    continue;
                }
                double other = historyResidual[at];
                int ij = si * BASIS_ITEMS + sj;
                int ji = sj * BASIS_ITEMS + si;
                pairCount[ij]++;
                pairCount[ji]++;
                pairProduct[ij] += (float) (res * other);
                pairProduct[ji] += (float) (res * other);
                pairSquares[ij] += (float) (res * res);
                pairSquares[ji] += (float) (other * other);
            }
            int at = u * RECENT + historySize[u] % RECENT;
            historyItem[at] = i;
            historyResidual[at] = res;
            historyLabel[at] = label;
            historySize[u]++;
        }
        if (basisItems != null) {
            recomputeUserVector(u);
        }
        int l = u * LEVELS;
        level[l] = res;
        for (int r = 0; r < RATES.length; r++) {
            level[l + 1 + r] = seen == 0 ? res : (1 - RATES[r]) * level[l + 1 + r] + RATES[r] * res;
        }
        userEvents[u]++;
        itemEvents[i]++;
    }

    /** The fitted weights: the last residual, the three averages, then the neighbourhood's gamma. */
    public double[] weights() {
        return weights.clone();
    }

    /** The h-th oldest of the user's last RECENT history entries. */
    private int historyAt(int u, int h) {
        int size = historySize[u];
        int first = size - Math.min(size, RECENT);
        return u * RECENT + (first + h) % RECENT;
    }

    /** s_u from the user's last events on basis items, each residual under the rows as they are now. */
    private void recomputeUserVector(int u) {
        Arrays.fill(userVector, u * RANK, (u + 1) * RANK, 0);
        int history = Math.min(historySize[u], RECENT);
        for (int h = 0; h < history; h++) {
            int at = historyAt(u, h);
            int j = historyItem[at];
            double r = historyLabel[at] - model.score(u, j);
            int b = j < basisIndex.length ? basisIndex[j] : -1;
            if (b >= 0) {
                for (int c = 0; c < RANK; c++) {
                    userVector[u * RANK + c] += r * basisCoords[b * RANK + c];
                }
            }
        }
    }

    private void grow(int u, int i) {
        if (u >= userEvents.length) {
            int n = Math.max(u + 1, userEvents.length * 2);
            userEvents = Arrays.copyOf(userEvents, n);
            level = Arrays.copyOf(level, n * LEVELS);
            userVector = Arrays.copyOf(userVector, n * RANK);
            historySize = Arrays.copyOf(historySize, n);
            historyItem = Arrays.copyOf(historyItem, n * RECENT);
            historyResidual = Arrays.copyOf(historyResidual, n * RECENT);
            historyLabel = Arrays.copyOf(historyLabel, n * RECENT);
        }
        if (i >= itemEvents.length) {
            int n = Math.max(i + 1, itemEvents.length * 2);
            int old = slotOf.length;
            itemEvents = Arrays.copyOf(itemEvents, n);
            slotOf = Arrays.copyOf(slotOf, n);
            Arrays.fill(slotOf, old, n, -1);
        }
        // The first BASIS_ITEMS items are tracked from their first event; later the set changes only at refreshes.
        if (itemEvents[i] == 0 && slotOf[i] < 0 && trackedOnFirstSight < BASIS_ITEMS) {
            slotOf[i] = trackedOnFirstSight;
            itemOfSlot[trackedOnFirstSight++] = i;
        }
    }

    /**
     * Tracks the BASIS_ITEMS items with the most events (ties to the earlier row), dropping the statistics of those
     * that leave, then computes the basis over the first {@code items} item rows and rotates it onto the last one.
     */
    private void refresh(int items) {
        int known = Math.min(items, itemEvents.length);
        Integer[] byEvents = new Integer[known];
        for (int x = 0; x < known; x++) {
            byEvents[x] = x;
        }
        Arrays.sort(byEvents, (a, b) -> Integer.compare(itemEvents[b], itemEvents[a]));
        boolean[] next = new boolean[known];
        for (int x = 0; x < Math.min(BASIS_ITEMS, known); x++) {
            next[byEvents[x]] = true;
        }
        for (int x = 0; x < known; x++) {
            if (slotOf[x] >= 0 && !next[x]) {
                release(slotOf[x]);
                slotOf[x] = -1;
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
            }
        }
        int[] rows = new int[BASIS_ITEMS];
        int c = 0;
        for (int x = 0; x < Math.min(items, slotOf.length); x++) {
            if (slotOf[x] >= 0) {
                rows[c++] = x;
            }
        }
        rows = Arrays.copyOf(rows, c);
        double[] coords = eigenBasis(rows);
        if (basisItems != null) {
            coords = align(rows, coords, basisItems, basisCoords);
        }
        basisItems = rows;
        basisCoords = coords;
        basisIndex = new int[items];
        Arrays.fill(basisIndex, -1);
        for (int b = 0; b < rows.length; b++) {
            basisIndex[rows[b]] = b;
        }
    }

    private void release(int slot) {
        for (int x = 0; x < BASIS_ITEMS; x++) {
            for (int a : new int[] {slot * BASIS_ITEMS + x, x * BASIS_ITEMS + slot}) {
                pairCount[a] = 0;
                pairProduct[a] = 0;
                pairSquares[a] = 0;
            }
        }
        itemOfSlot[slot] = -1;
    }

    /**
     * The leading positive eigenvectors of the shrunk residual correlations among {@code rows}, each scaled by the
     * root of its eigenvalue: RANK coordinates per item, in the order of {@code rows}.
     */
    private double[] eigenBasis(int[] rows) {
        int m = rows.length;
        DMatrixRMaj mat = new DMatrixRMaj(m, m);
        for (int a = 0; a < m; a++) {
            for (int b = 0; b < m; b++) {
                int at = slotOf[rows[a]] * BASIS_ITEMS + slotOf[rows[b]];
                int mirror = slotOf[rows[b]] * BASIS_ITEMS + slotOf[rows[a]];
                float n = pairCount[at];
                if (a == b || n < 1) {
                    continue;
                }
                float squares = pairSquares[at] * pairSquares[mirror];
                mat.set(a, b, pairProduct[at] / Math.sqrt(squares + 1e-9) * n / (n + SHRINKAGE));
            }
        }
        for (int a = 0; a < m; a++) {
            for (int b = a + 1; b < m; b++) {
                double v = (mat.get(a, b) + mat.get(b, a)) / 2;
                mat.set(a, b, v);
                mat.set(b, a, v);
            }
        }
        double[] out = new double[m * RANK];
        if (m == 0) {
            return out;
        }
        var eig = DecompositionFactory_DDRM.eig(m, true, true);
        if (!eig.decompose(mat)) {
            throw new IllegalStateException("eigen decomposition of the residual correlations failed");
        }
        Integer[] order = new Integer[m];
        for (int x = 0; x < m; x++) {
            order[x] = x;
        }
        Arrays.sort(
                order,
                (x, y) -> Double.compare(
                        Math.abs(eig.getEigenvalue(y).getReal()),
                        Math.abs(eig.getEigenvalue(x).getReal())));
        int c = 0;
        for (int t = 0; t < m && c < RANK; t++) {
            double lambda = eig.getEigenvalue(order[t]).getReal();
            if (lambda < 0) {
                continue;
            }
            DMatrixRMaj v = eig.getEigenVector(order[t]);
            double scale = Math.sqrt(lambda);
            for (int a = 0; a < m; a++) {
                out[a * RANK + c] = v.get(a, 0) * scale;
            }
            c++;
        }
        return out;
    }

    /**
     * The new basis rotated onto the old one over the items they share: Q N with Q = U V^T from the SVD of O N^T
     * (orthogonal Procrustes), so the dot products under the new basis stay what they were under the old.
     */
    private static double[] align(int[] rows, double[] next, int[] oldRows, double[] old) {
        DMatrixRMaj a = new DMatrixRMaj(RANK, RANK);
        for (int x = 0; x < RANK; x++) {
            for (int y = 0; y < RANK; y++) {
                double v = 0;
                for (int p = 0, q = 0; p < oldRows.length && q < rows.length; ) {
                    if (oldRows[p] < rows[q]) {
                        p++;
                    } else if (oldRows[p] > rows[q]) {
                        q++;
                    } else {
                        v += old[p * RANK + x] * next[q * RANK + y];
                        p++;
                        q++;
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
                for (int item = 0; item < rows.length; item++) {
                    out[item * RANK + x] += w * next[item * RANK + y];
                }
            }
        }
        return out;
    }

    /** (X'X + I)^-1 X'y by Gaussian elimination (X'X + I is positive definite: no pivoting needed). */
    static double[] ridge(double[][] xtx, double[] xty) {
        int d = xty.length;
        double[][] m = new double[d][d + 1];
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                m[a][b] = xtx[a][b] + (a == b ? 1 : 0);
            }
            m[a][d] = xty[a];
        }
        for (int c = 0; c < d; c++) {
            for (int r = c + 1; r < d; r++) {
                double f = m[r][c] / m[c][c];
                for (int c2 = c; c2 <= d; c2++) {
                    m[r][c2] -= f * m[c][c2];
                }
            }
        }
        double[] beta = new double[d];
        for (int r = d - 1; r >= 0; r--) {
            double v = m[r][d];
            for (int c2 = r + 1; c2 < d; c2++) {
                v -= m[r][c2] * beta[c2];
            }
            beta[r] = v / m[r][r];
        }
        return beta;
    }
}
