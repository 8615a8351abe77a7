package io.streamrec.learn;

import io.streamrec.model.ModelKind;
import io.streamrec.model.RowKind;
import java.util.Arrays;

/**
 * Per-event SGD for {@link ModelKind#FISM}, the factored item similarity model (Kabbur, Ning and Karypis, KDD 2013)
 * trained with its pairwise loss (FISMauc) on a stream of positives.
 *
 * <p>An item scores {@code b_i + p_u . q_i} for a user, as in every other kind, but the user row is not a free
 * parameter: it is {@code p_u = |N_u|^-alpha * S_u}, with {@code S_u} the sum of the context vectors {@code y_j}
 * of the items {@code j} in the user's history {@code N_u} (a second vector per item, separate from {@code q_j}).
 * A user is therefore described by what they picked, which is the item-to-item signal a single pass over a stream
 * can learn: on MovieLens-100K it is what beats the popularity bar, where a free user row (bpr) ties with it
 * (docs/benchmarks.md). The model table's user row holds {@code p_u} after every event, so ranking, serving and the
 * client read it like any other user row; the context vectors and the sums are this learner's own state.
 *
 * <p>Each event {@code (u, i)} takes {@code negatives} BPR steps in turn, as FISMauc does: for each negative
 * {@code j} drawn by the {@link NegativeSampler}, {@code x = (b_i + p_u.q_i) - (b_j + p_u.q_j)}, loss
 * {@code -ln sigmoid(x)}; the biases and {@code q_i}, {@code q_j} step, and so does every {@code y_h} of the
 * user's history, by {@code |N_u|^-alpha (q_i - q_j)} times the pair's gradient. The item {@code i} joins the
 * history after the event (the model predicts an item from the user's other items). L2 and the rate are the
 * model's; the optimizer is plain SGD, as in the paper.
 *
 * <p>Two choices that suit a stream, where the paper trains in epochs:
 *
 * <ul>
 *   <li>{@code S_u} is the user's own: it gains {@code y_i} when the user picks {@code i}, and then the steps this
 *       user's events give its history items, not the steps other users' events give them later. It is state of
 *       the user alone (the stream trainer's user task could keep it). Recomputing it from the current {@code y_j}
 *       at every event, as the paper's form does, gave about the same recall@10 in the prototype on MovieLens-100K
 *       (0.1358 against 0.1361 with ratings 5 as positives, 0.1355 against 0.1321 with every event; benchmarks.md).
 *   <li>The {@code N} steps of one event move every history vector by the same amount, so they are taken at once
 *       after the event's pairs: with {@code c = 1 - rate * l2}, {@code N} plain steps of
 *       {@code y <- y - rate (g_m + l2 y)} are {@code y <- c^N y - rate * sum_m c^(N-1-m) g_m}, exactly. The cost
 *       of an event is {@code O(k (N + |N_u|))}, not {@code O(k N |N_u|)}.
 * </ul>
 *
 * <p>Not thread-safe.
 */
public final class FismLearner {
    /**
     * Negatives per positive. Not a published figure: FISM's authors sample several negatives per positive, and
     * 10 is in the middle of the range where MovieLens-100K's recall@10 is flat (10 to 20; docs/benchmarks.md).
     */
    public static final int DEFAULT_NEGATIVES = 10;
    /** The exponent of {@code |N_u|^-alpha}: 0.5, FISM's usual setting and LibRec's default. */
    public static final double DEFAULT_ALPHA = 0.5;

    private final Model model;
    private final int negatives;
    private final double alpha;
    private final int width;
    private final float l2Bias;
    private final float l2Factor;
    private final NegativeSampler sampler;
    private final RowInitializer contextInit;
    private final float[] gradient;
    private final float[] decayedSum;
    /** The context vectors {@code y_j}, by item row, slot 0 unused (the layout of the item table). */
    private float[] context = new float[0];

    private int contextRows;
    /** Per user row: {@code S_u} (slot 0 unused), the history's item rows and its length. */
    private float[][] sums = new float[16][];

    private int[][] histories = new int[16][];
    private int[] historySizes = new int[16];

    /** {@code negatives} per positive (1..1000); the model's kind must be fism and its optimizer plain SGD. */
    public FismLearner(Model model, int negatives, double alpha) {
        Hyperparameters hyper = model.hyper();
        if (hyper.kind() != ModelKind.FISM) {
            throw new IllegalArgumentException(
                    "FismLearner trains fism models, not " + hyper.kind().id());
        }
        if (!(hyper.optimizer() instanceof Optimizer.Sgd)) {
            throw new IllegalArgumentException("fism trains with plain SGD, as its authors do; got optimizer "
                    + hyper.optimizer().getClass().getSimpleName());
        }
        if (negatives < 1 || negatives > 1000) {
            throw new IllegalArgumentException("negatives must be in 1..1000, got " + negatives);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        this.model = model;
        this.negatives = negatives;
        this.alpha = alpha;
        this.width = hyper.width();
        this.l2Bias = (float) hyper.regBias();
        this.l2Factor = (float) hyper.regFactor();
        this.sampler = new NegativeSampler(hyper.seed());
        // Another seed than the item rows', so that y_j starts apart from q_j.
        this.contextInit = new RowInitializer(hyper.seed() ^ 0x6A09E667F3BCC909L, hyper.initStd());
        this.gradient = new float[width];
        this.decayedSum = new float[width];
    }

    public Model model() {
        return model;
    }

    public int negatives() {
        return negatives;
    }

    /** Learns a positive {@code (u, i)} by row numbers; the label is not used. */
    public void learn(int u, int i, float label, float weight, long time) {
        ensureUser(u);
        ensureContext(model.items().size());
        float lr = (float) model.hyper().schedule().rate(model.eventsSeen());
        float[] sum = sums[u];
        int n = historySizes[u];
        float scale = n == 0 ? 0f : (float) Math.pow(n, -alpha);
        float[] ip = model.items().params();
        int known = model.items().size();
        float decay = 1f - lr * l2Factor;
        Arrays.fill(decayedSum, 0f);
        int io = i * width;
        for (int k = 0; k < negatives; k++) {
            int j = sampler.draw(known, i);
            if (j < 0) {
                break;
            }
            int jo = j * width;
            double x = ip[io] - ip[jo];
            for (int f = 1; f < width; f++) {
                x += scale * sum[f] * (ip[io + f] - ip[jo + f]);
            }
            // d(-ln sigmoid(x))/dx = -sigmoid(-x)
            float g = (float) (-weight * ModelKind.sigmoid(-x));
            ip[io] -= lr * (g + l2Bias * ip[io]);
            ip[jo] -= lr * (-g + l2Bias * ip[jo]);
            for (int f = 1; f < width; f++) {
                float p = scale * sum[f];
                float qi = ip[io + f];
                float qj = ip[jo + f];
                gradient[f] = g * scale * (qi - qj); // d/dy_h, the same for every history item h
                ip[io + f] = qi - lr * (g * p + l2Factor * qi);
                ip[jo + f] = qj - lr * (-g * p + l2Factor * qj);
                decayedSum[f] = decay * decayedSum[f] + gradient[f];
                // The user's sum moves as its n history vectors do: n gradients, and L2 on each of them.
                sum[f] -= lr * (n * gradient[f] + l2Factor * sum[f]);
            }
        }
        if (n > 0) {
            stepHistory(u, n, lr, decay);
        }
        if (!inHistory(u, i)) {
            addToHistory(u, i);
            int co = i * width;
            for (int f = 1; f < width; f++) {
                sum[f] += context[co + f];
            }
        }
        publishUserRow(u);
        model.mean().add(1f, weight);
        model.addEventsSeen(1);
    }

    /** Nothing is pending: every event is learned when it comes. */
    public void flush() {}

    /** A copy of item row {@code i}'s context vector (slot 0 unused), for tests and diagnostics. */
    public float[] context(int i) {
        ensureContext(model.items().size());
        return Arrays.copyOfRange(context, i * width, (i + 1) * width);
    }

    /** The number of distinct items in user row {@code u}'s history. */
    public int historySize(int u) {
        return u < historySizes.length ? historySizes[u] : 0;
    }

    /** Every history vector takes the event's N steps at once: {@code y <- c^N y - rate * sum_m c^(N-1-m) g_m}. */
    private void stepHistory(int u, int n, float lr, float decay) {
        int taken = negatives; // a draw fails only for a catalogue of one item, and then no pair stepped anything
        if (model.items().size() < 2) {
            return;
        }
        float decayN = (float) Math.pow(decay, taken);
        int[] history = histories[u];
        for (int h = 0; h < n; h++) {
            int o = history[h] * width;
            for (int f = 1; f < width; f++) {
                context[o + f] = decayN * context[o + f] - lr * decayedSum[f];
            }
        }
    }

    /** Writes {@code p_u = |N_u|^-alpha S_u} into the model's user row (bias 0: the user bias cancels in BPR). */
    private void publishUserRow(int u) {
        float[] up = model.users().params();
        int n = historySizes[u];
        float scale = n == 0 ? 0f : (float) Math.pow(n, -alpha);
        float[] sum = sums[u];
        int uo = u * width;
        up[uo] = 0f;
        for (int f = 1; f < width; f++) {
            up[uo + f] = scale * sum[f];
        }
    }

    private boolean inHistory(int u, int i) {
        int[] history = histories[u];
        for (int h = 0; h < historySizes[u]; h++) {
            if (history[h] == i) {
                return true;
            }
        }
        return false;
    }

    private void addToHistory(int u, int i) {
        int[] history = histories[u];
        if (historySizes[u] == history.length) {
            histories[u] = history = Arrays.copyOf(history, history.length * 2);
        }
        history[historySizes[u]++] = i;
    }

    private void ensureUser(int u) {
        if (u >= sums.length) {
            int cap = Math.max(u + 1, sums.length * 2);
            sums = Arrays.copyOf(sums, cap);
            histories = Arrays.copyOf(histories, cap);
            historySizes = Arrays.copyOf(historySizes, cap);
        }
        if (sums[u] == null) {
            sums[u] = new float[width];
            histories[u] = new int[8];
        }
    }

    /** Creates the context vectors of item rows up to {@code rows}, seeded by the item's id. */
    private void ensureContext(int rows) {
        if (rows <= contextRows) {
            return;
        }
        if (rows * width > context.length) {
            context = Arrays.copyOf(context, Math.max(rows, contextRows * 2) * width);
        }
        FactorTable items = model.items();
        for (int r = contextRows; r < rows; r++) {
            contextInit.init(RowKind.ITEM, items.id(r), context, r * width, width);
        }
        contextRows = rows;
    }
}
