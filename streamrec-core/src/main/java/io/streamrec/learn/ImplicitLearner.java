package io.streamrec.learn;

import io.streamrec.model.ModelKind;
import java.util.Arrays;

/**
 * Mini-batch SGD for the positives-only models ({@link ModelKind#positivesOnly()}): every event is a positive,
 * paired with negatives from a {@link NegativeSampler}. The same lifecycle as {@link MiniBatchLearner} (events
 * join a batch; a flush computes every gradient against the parameters at the start of the batch, sums them per
 * row and takes one optimizer step per touched row), so the stream processors can use it in its place.
 *
 * <ul>
 *   <li>{@link ModelKind#BPR} (Rendle et al. 2009): for each negative {@code j},
 *       {@code x = (b_i + p_u.q_i) - (b_j + p_u.q_j)} and loss {@code -ln sigmoid(x)}. The user bias cancels in
 *       {@code x}, so it takes no gradient.
 *   <li>{@link ModelKind#IMPLICIT_LOGISTIC}: logistic loss on {@code b_u + b_i + p_u.q_i} with label 1 for the
 *       positive and 0 for each negative.
 *   <li>{@link ModelKind#POPULARITY}: the item takes a gradient of {@code -weight} on its bias, which one SGD step
 *       of rate 1 adds to it (its {@link Hyperparameters} are fixed so); nothing is sampled.
 * </ul>
 *
 * <p>A row's event count (regularization and {@code updates}) counts each event once for the user and the
 * positive item, and once per draw for a negative item.
 */
public final class ImplicitLearner implements BatchLearner {
    /** BPR draws one negative per positive (Rendle et al. 2009). */
    public static final int BPR_NEGATIVES = 1;
    /** Four negatives per positive, as in neural collaborative filtering (He et al. 2017). */
    public static final int LOGISTIC_NEGATIVES = 4;

    private final Model model;
    private final ModelKind kind;
    private final int batchSize;
    private final int negatives;
    private final NegativeSampler sampler;
    private final RowUpdater updater;
    private final GradientAccumulator userGrads;
    private final GradientAccumulator itemGrads;
    private final float[] scratch;
    private int[] users = new int[16];
    private int[] items = new int[16];
    private float[] weights = new float[16];
    private long[] times = new long[16];
    private int pending;

    /** The published number of negatives per positive for {@code kind} (0 for popularity). */
    public static int defaultNegatives(ModelKind kind) {
        return switch (kind) {
            case BPR -> BPR_NEGATIVES;
            case IMPLICIT_LOGISTIC -> LOGISTIC_NEGATIVES;
            case FISM -> FismLearner.DEFAULT_NEGATIVES;
            default -> 0;
        };
    }

    public ImplicitLearner(Model model, int batchSize, int negatives) {
        this.kind = model.hyper().kind();
        if (!kind.positivesOnly() || kind == ModelKind.FISM) {
            throw new IllegalArgumentException(kind.id() + " is not a model ImplicitLearner trains");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (negatives < (kind == ModelKind.POPULARITY ? 0 : 1) || negatives > 1000) {
            throw new IllegalArgumentException("negatives must be in 1..1000, got " + negatives);
        }
        this.model = model;
        this.batchSize = batchSize;
        this.negatives = kind == ModelKind.POPULARITY ? 0 : negatives;
        this.sampler = new NegativeSampler(model.hyper().seed());
        this.updater = new RowUpdater(model.hyper());
        int width = model.hyper().width();
        this.userGrads = new GradientAccumulator(width);
        this.itemGrads = new GradientAccumulator(width);
        this.scratch = new float[width];
    }

    @Override
    public Model model() {
        return model;
    }

    public int negatives() {
        return negatives;
    }

    @Override
    public int pending() {
        return pending;
    }

    /** Adds a positive event by row numbers; the label is not used (every event is a positive). */
    @Override
    public MiniBatchLearner.FlushResult learn(int u, int i, float label, float weight, long time) {
        if (pending == users.length) {
            int cap = pending * 2;
            users = Arrays.copyOf(users, cap);
            items = Arrays.copyOf(items, cap);
            weights = Arrays.copyOf(weights, cap);
            times = Arrays.copyOf(times, cap);
        }
        users[pending] = u;
        items[pending] = i;
        weights[pending] = weight;
        times[pending] = time;
        pending++;
        return pending >= batchSize ? flush() : null;
    }

    /** Applies the pending batch to both tables. */
    @Override
    public MiniBatchLearner.FlushResult flush() {
        int n = pending;
        if (n == 0) {
            return MiniBatchLearner.FlushResult.EMPTY;
        }
        float lr = (float) model.hyper().schedule().rate(model.eventsSeen());
        double loss = computeGradients(model.items().params(), model.items().size(), userGrads, itemGrads);
        int[] userRows = rows(userGrads);
        int[] itemRows = rows(itemGrads);
        updater.apply(model.users(), userGrads, lr);
        updater.apply(model.items(), itemGrads, lr);
        return new MiniBatchLearner.FlushResult(n, loss / n, lr, userRows, itemRows);
    }

    private static int[] rows(GradientAccumulator acc) {
        int[] rows = new int[acc.size()];
        for (int s = 0; s < rows.length; s++) {
            rows[s] = acc.row(s);
        }
        return rows;
    }

    /** As {@link #computeGradients(float[], int, GradientAccumulator, GradientAccumulator)} over every item row. */
    @Override
    public double computeGradients(float[] itemParams, GradientAccumulator forUsers, GradientAccumulator forItems) {
        return computeGradients(itemParams, model.items().size(), forUsers, forItems);
    }

    /**
     * Computes the pending batch's gradients into the accumulators, reading item rows from {@code itemParams}
     * (laid out like the model's item table) and drawing negatives among its first {@code knownItems} rows; then
     * counts the batch into the global mean (every positive as label 1) and clears it.
     *
     * @return the summed weighted loss of the batch
     */
    public double computeGradients(
            float[] itemParams, int knownItems, GradientAccumulator forUsers, GradientAccumulator forItems) {
        int width = model.hyper().width();
        float[] userParams = model.users().params();
        double total = 0;
        for (int e = 0; e < pending; e++) {
            int u = users[e];
            int i = items[e];
            float w = weights[e];
            long t = times[e];
            switch (kind) {
                case POPULARITY -> {
                    forUsers.addEvent(u, 0f, itemParams, i * width, t);
                    forItems.addEvent(i, -w, userParams, u * width, t);
                }
                case BPR -> total += bpr(userParams, itemParams, width, u, i, w, t, knownItems, forUsers, forItems);
                default -> total += logistic(userParams, itemParams, width, u, i, w, t, knownItems, forUsers, forItems);
            }
        }
        GlobalMean mean = model.mean();
        for (int e = 0; e < pending; e++) {
            mean.add(1f, weights[e]);
        }
        model.addEventsSeen(pending);
        pending = 0;
        return total;
    }

    private double bpr(
            float[] up,
            float[] ip,
            int width,
            int u,
            int i,
            float w,
            long t,
            int known,
            GradientAccumulator forUsers,
            GradientAccumulator forItems) {
        double positive = ip[i * width] + Model.dot(up, u * width + 1, ip, i * width + 1, width - 1);
        double loss = 0;
        float gi = 0f;
        // The event counts once for the user row (a zero gradient); the pairs' gradients come as count-free sums.
        forUsers.addEvent(u, 0f, ip, i * width, t);
        for (int k = 0; k < negatives; k++) {
            int j = sampler.draw(known, i);
            if (j < 0) {
                break;
            }
            double x = positive - ip[j * width] - Model.dot(up, u * width + 1, ip, j * width + 1, width - 1);
            // -ln sigmoid(x) = ln(1 + e^-x), stably; its derivative in x is -sigmoid(-x).
            loss += w * (Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
            float g = (float) (-w * ModelKind.sigmoid(-x));
            gi += g;
            // d/dp_u = g (q_i - q_j)
            addScaled(forUsers, u, g, ip, i * width, width, t, false);
            addScaled(forUsers, u, -g, ip, j * width, width, t, false);
            forItems.addEvent(j, -g, up, u * width, t);
        }
        forItems.addEvent(i, gi, up, u * width, t);
        return loss;
    }

    private double logistic(
            float[] up,
            float[] ip,
            int width,
            int u,
            int i,
            float w,
            long t,
            int known,
            GradientAccumulator forUsers,
            GradientAccumulator forItems) {
        double base = up[u * width];
        double s = base + ip[i * width] + Model.dot(up, u * width + 1, ip, i * width + 1, width - 1);
        double loss = w * Loss.LOGISTIC.loss(1, s);
        float g = (float) (w * Loss.LOGISTIC.gradient(1, s));
        forUsers.addEvent(u, g, ip, i * width, t);
        forItems.addEvent(i, g, up, u * width, t);
        for (int k = 0; k < negatives; k++) {
            int j = sampler.draw(known, i);
            if (j < 0) {
                break;
            }
            double sj = base + ip[j * width] + Model.dot(up, u * width + 1, ip, j * width + 1, width - 1);
            loss += w * Loss.LOGISTIC.loss(0, sj);
            float gj = (float) (w * Loss.LOGISTIC.gradient(0, sj));
            addScaled(forUsers, u, gj, ip, j * width, width, t, true);
            forItems.addEvent(j, gj, up, u * width, t);
        }
        return loss;
    }

    /** Adds {@code g} times the partner row (bias slot: {@code g} when {@code withBias}, else 0), counting no event. */
    private void addScaled(
            GradientAccumulator acc, int row, float g, float[] other, int offset, int width, long t, boolean withBias) {
        scratch[0] = withBias ? g : 0f;
        for (int f = 1; f < width; f++) {
            scratch[f] = g * other[offset + f];
        }
        acc.addSum(row, scratch, 0, 0, t);
    }

    /** Steps the user rows accumulated by {@link #computeGradients}. */
    @Override
    public void applyUsers(GradientAccumulator forUsers, float learningRate) {
        updater.apply(model.users(), forUsers, learningRate);
    }

    @Override
    public RowUpdater updater() {
        return updater;
    }
}
