package io.streamrec.learn;

import io.streamrec.data.Rating;
import io.streamrec.model.ModelKind;
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
    private final int width;
    private final float l2Bias;
    private final float l2Factor;
    private final NegativeSampler sampler;
    private final FismState state;
    private final float[] gradient;
    private final float[] decayedSum;

    /** {@code negatives} per positive (1..1000); the model's kind must be fism and its optimizer plain SGD. */
    public FismLearner(Model model, int negatives, double alpha) {
        this(model, negatives, new FismState(model.hyper(), alpha));
    }

    /**
     * Goes on from {@code state} (a snapshot's, {@link ModelSnapshot#readContents}), whose item rows are the model's
     * and whose alpha is kept.
     */
    public FismLearner(Model model, int negatives, FismState state) {
        Hyperparameters hyper = model.hyper();
        check(hyper, negatives, state.alpha());
        state.checkFits(hyper);
        this.model = model;
        this.negatives = negatives;
        this.width = hyper.width();
        this.l2Bias = (float) hyper.regBias();
        this.l2Factor = (float) hyper.regFactor();
        this.sampler = new NegativeSampler(hyper.seed());
        this.state = state;
        this.gradient = new float[width];
        this.decayedSum = new float[width];
    }

    static void check(Hyperparameters hyper, int negatives, double alpha) {
        if (hyper.kind() != ModelKind.FISM) {
            throw new IllegalArgumentException(
                    "fism learners train fism models, not " + hyper.kind().id());
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
    }

    public Model model() {
        return model;
    }

    public int negatives() {
        return negatives;
    }

    /** The context vectors and the users' sums and histories, what a snapshot stores beside the rows. */
    public FismState state() {
        return state;
    }

    /** Learns a positive {@code (u, i)} by row numbers; the label is not used. */
    public void learn(int u, int i, float label, float weight, long time) {
        FactorTable items = model.items();
        state.ensureContext(items.size(), items);
        FismState.User s = state.user(model.users().id(u));
        float lr = (float) model.hyper().schedule().rate(model.eventsSeen());
        float[] sum = s.sum;
        int n = s.size;
        float scale = state.scale(s);
        float[] ip = items.params();
        int known = items.size();
        float decay = 1f - lr * l2Factor;
        Arrays.fill(decayedSum, 0f);
        int io = i * width;
        int taken = 0;
        for (int k = 0; k < negatives; k++) {
            int j = sampler.draw(known, i);
            if (j < 0) {
                break;
            }
            taken++;
            int jo = j * width;
            double x = state.pairScore(sum, scale, ip, io, jo);
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
        state.endEvent(s, i, taken, decay, lr, decayedSum, model.users().params(), u * width);
        model.mean().add(1f, weight);
        model.addEventsSeen(1);
    }

    /**
     * Learns every event in the given order, by id: a pretraining pass (in time order, so that a model pretrained on
     * a log's earlier part goes on in a stream as if it had streamed that part too).
     */
    public void learnAll(Iterable<Rating> events) {
        for (Rating r : events) {
            learn(
                    model.users().getOrCreate(r.user()),
                    model.items().getOrCreate(r.item()),
                    r.label(),
                    r.weight(),
                    r.timestamp());
        }
    }

    /** Nothing is pending: every event is learned when it comes. */
    public void flush() {}

    /** A copy of item row {@code i}'s context vector (slot 0 unused), for tests and diagnostics. */
    public float[] context(int i) {
        state.ensureContext(model.items().size(), model.items());
        return state.context(i);
    }

    /** The number of distinct items in user row {@code u}'s history. */
    public int historySize(int u) {
        FismState.User s = state.find(model.users().id(u));
        return s == null ? 0 : s.size;
    }
}
