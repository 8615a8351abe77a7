package io.streamrec.learn;

import io.streamrec.model.ModelKind;
import java.util.Arrays;

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
 *   <li>y_i, the item's coordinates in the {@link ResidualBasis}.
 *   <li>s_u, the user vector: the sum over the user's last {@link #RECENT} events on basis items of each event's
 *       residual under the rows as they are now times y_j; m_u the number of those events (Koren 2008's
 *       neighbourhood on residuals, through the basis). It is made at each of the user's events, before the model
 *       learns it, and kept as it is until the next one, as a client holding the published rows would see it.
 *   <li>beta and gamma: one {@link ResidualFit} of the model's residual on the five features, refitted at every
 *       event of a user with an earlier one.
 * </ul>
 *
 * <p>No setting was searched on a data file: the basis's rank is the model's number of factors, the averages'
 * rates and the history's length were set before any run, and the rest are the basis's (see there).
 *
 * <p>Lifecycle, per event in order: {@link #predict} with the row numbers before the event (-1 for an unseen row),
 * then, with the event's rows created but before the model learns the event, {@link #learn}. Not thread-safe.
 */
public final class ResidualNeighbourhood {
    /** A user's events on basis items that make s_u. */
    public static final int RECENT = 50;

    private static final int RANK = ResidualBasis.RANK;
    private static final double[] RATES = {0.5, 0.2, 0.05};
    private static final int LEVELS = 1 + RATES.length;
    private static final int FEATURES = LEVELS + 1;

    private final Model model;
    private final ResidualBasis basis;
    private final ResidualFit fit = new ResidualFit(FEATURES);
    /** The features of the event just predicted, for its {@link #learn}. */
    private final double[] features = new double[FEATURES];

    // Per user row: events, the recent level, s_u, and the last RECENT events on basis items (a ring).
    private int[] userEvents = new int[0];
    private double[] level = new double[0];
    private double[] userVector = new double[0];
    private int[] historySize = new int[0];
    private int[] historyItem = new int[0];
    private double[] historyResidual = new double[0];
    private float[] historyLabel = new float[0];

    /** @param model the biased MF model whose residuals the layer learns; it reads the rows at each event */
    public ResidualNeighbourhood(Model model) {
        if (model.hyper().kind() != ModelKind.BIASED_MF) {
            throw new IllegalArgumentException("the residual neighbourhood is for biased-mf, got "
                    + model.hyper().kind().id());
        }
        this.model = model;
        this.basis = new ResidualBasis(model.hyper().seed());
    }

    /**
     * The correction to add to the model's score for user row {@code u} and item row {@code i} (-1: unseen), before
     * the event is learned. Every event must pass here, then through {@link #learn}.
     */
    public double predict(int u, int i) {
        basis.beforeEvent(model.items().size());
        Arrays.fill(features, 0);
        if (u < 0 || u >= userEvents.length || userEvents[u] == 0) {
            return 0;
        }
        System.arraycopy(level, u * LEVELS, features, 0, LEVELS);
        if (i >= 0) {
            features[LEVELS] = basis.dot(i, userVector, u * RANK) / (1 + Math.sqrt(Math.min(historySize[u], RECENT)));
        }
        return fit.predict(features);
    }

    /**
     * Learns the event just predicted: user row {@code u} and item row {@code i} (both exist now), its label and
     * the model's score that {@link #predict} corrected ({@code plain}). Call it before the model learns the event.
     */
    public void learn(int u, int i, float label, double plain) {
        grow(u);
        basis.countEvent(i);
        double res = label - plain;
        int seen = userEvents[u];
        if (seen > 0) {
            fit.add(features, res);
        }
        if (basis.tracked(i)) {
            int history = Math.min(historySize[u], RECENT);
            for (int h = 0; h < history; h++) {
                int at = historyAt(u, h);
                basis.addPair(i, res, historyItem[at], historyResidual[at]);
            }
            int at = u * RECENT + historySize[u] % RECENT;
            historyItem[at] = i;
            historyResidual[at] = res;
            historyLabel[at] = label;
            historySize[u]++;
        }
        if (basis.ready()) {
            remakeUserVector(u);
        }
        int l = u * LEVELS;
        level[l] = res;
        for (int r = 0; r < RATES.length; r++) {
            level[l + 1 + r] = seen == 0 ? res : (1 - RATES[r]) * level[l + 1 + r] + RATES[r] * res;
        }
        userEvents[u]++;
    }

    /** The fitted weights: the last residual, the three averages, then the neighbourhood's gamma. */
    public double[] weights() {
        return fit.weights();
    }

    /** The h-th oldest of the user's last RECENT history entries. */
    private int historyAt(int u, int h) {
        int size = historySize[u];
        int first = size - Math.min(size, RECENT);
        return u * RECENT + (first + h) % RECENT;
    }

    /** s_u from the user's last events on basis items, each residual under the rows as they are now. */
    private void remakeUserVector(int u) {
        Arrays.fill(userVector, u * RANK, (u + 1) * RANK, 0);
        int history = Math.min(historySize[u], RECENT);
        for (int h = 0; h < history; h++) {
            int at = historyAt(u, h);
            int j = historyItem[at];
            basis.addScaled(j, historyLabel[at] - model.score(u, j), userVector, u * RANK);
        }
    }

    private void grow(int u) {
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
    }
}
