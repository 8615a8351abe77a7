package io.streamrec.learn;

import io.streamrec.data.Rating;
import java.util.Arrays;

/**
 * Mini-batch stochastic gradient descent on a {@link Model}, River-style: {@link #predict} then {@link #learn}.
 *
 * <p>Events join a pending batch; every {@code batchSize} events (or on an explicit {@link #flush()}) the
 * gradients of the whole batch are computed against the parameters as they were at the start of the batch,
 * summed per row, and each touched row takes one optimizer step. A batch size of 1 is exactly per-event SGD.
 * The global mean learns the batch's labels after the gradients are computed.
 *
 * <p>The same code trains offline ({@code evaluate}, {@code pretrain}) and inside the stream processors, which
 * use {@link #computeGradients} and step the item rows on another task.
 */
public final class MiniBatchLearner implements BatchLearner {
    private final Model model;
    private final int batchSize;
    private final RowUpdater updater;
    private final GradientAccumulator userGrads;
    private final GradientAccumulator itemGrads;
    private int[] users;
    private int[] items;
    private float[] labels;
    private float[] weights;
    private long[] times;
    private float[] dots;
    private int pending;

    public MiniBatchLearner(Model model, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.model = model;
        this.batchSize = batchSize;
        this.updater = new RowUpdater(model.hyper());
        int width = model.hyper().width();
        this.userGrads = new GradientAccumulator(width);
        this.itemGrads = new GradientAccumulator(width);
        int cap = Math.min(batchSize, 1 << 16);
        users = new int[cap];
        items = new int[cap];
        labels = new float[cap];
        weights = new float[cap];
        times = new long[cap];
        dots = new float[cap];
    }

    public Model model() {
        return model;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Events waiting in the current batch. */
    public int pending() {
        return pending;
    }

    /** The model's prediction for a user and an item, before learning anything new. */
    public double predict(String user, String item) {
        return model.predict(user, item);
    }

    /**
     * Adds an event to the batch, creating unseen rows; flushes when the batch is full.
     *
     * @return the flush result when this event completed a batch, otherwise null
     */
    public FlushResult learn(Rating r) {
        int u = model.users().getOrCreate(r.user());
        int i = model.items().getOrCreate(r.item());
        return learn(u, i, r.label(), r.weight(), r.timestamp());
    }

    /** Adds an event by row numbers (the fast path for benchmarks and pre-indexed data). */
    public FlushResult learn(int u, int i, float label, float weight, long time) {
        if (pending == users.length) {
            int cap = users.length * 2;
            users = Arrays.copyOf(users, cap);
            items = Arrays.copyOf(items, cap);
            labels = Arrays.copyOf(labels, cap);
            weights = Arrays.copyOf(weights, cap);
            times = Arrays.copyOf(times, cap);
            dots = new float[cap];
        }
        users[pending] = u;
        items[pending] = i;
        labels[pending] = label;
        weights[pending] = weight;
        times[pending] = time;
        pending++;
        return pending >= batchSize ? flush() : null;
    }

    /** Applies the pending batch to both tables; a no-op result when nothing is pending. */
    public FlushResult flush() {
        int n = pending;
        if (n == 0) {
            return FlushResult.EMPTY;
        }
        float lr = (float) model.hyper().schedule().rate(model.eventsSeen());
        double loss = computeGradients(model.items().params(), userGrads, itemGrads);
        int[] userRows = rows(userGrads);
        int[] itemRows = rows(itemGrads);
        updater.apply(model.users(), userGrads, lr);
        updater.apply(model.items(), itemGrads, lr);
        return new FlushResult(n, loss / n, lr, userRows, itemRows);
    }

    private static int[] rows(GradientAccumulator acc) {
        int[] rows = new int[acc.size()];
        for (int s = 0; s < rows.length; s++) {
            rows[s] = acc.row(s);
        }
        return rows;
    }

    /**
     * Computes the gradients of the pending batch into the two accumulators, reading item rows from
     * {@code itemParams} (the model's own, or a fresher copy held elsewhere, laid out like the model's item table),
     * then learns the batch's labels into the global mean and clears the batch. Used by the stream processors.
     *
     * @return the summed weighted loss of the batch
     */
    public double computeGradients(float[] itemParams, GradientAccumulator forUsers, GradientAccumulator forItems) {
        Loss loss = Loss.of(model.hyper().kind());
        double offset = model.offset();
        int width = model.hyper().width();
        float[] userParams = model.users().params();
        int n = pending;
        // Every score of the batch reads the parameters as they were at its start, so all dot products can be
        // computed first, four events at a time: four independent chains instead of one serial chain of adds.
        dots(userParams, itemParams, width, n);
        double total = 0;
        if (loss == Loss.SQUARED) {
            // Loss.SQUARED's formulas inlined (same double operations): no call per event.
            for (int e = 0; e < n; e++) {
                int u = users[e];
                int i = items[e];
                double s = offset + userParams[u * width] + itemParams[i * width] + dots[e];
                float w = weights[e];
                double err = s - labels[e];
                total += w * (0.5 * err * err);
                float g = (float) (w * err);
                forUsers.addEvent(u, g, itemParams, i * width, times[e]);
                forItems.addEvent(i, g, userParams, u * width, times[e]);
            }
        } else {
            for (int e = 0; e < n; e++) {
                int u = users[e];
                int i = items[e];
                double s = offset + userParams[u * width] + itemParams[i * width] + dots[e];
                float w = weights[e];
                total += w * loss.loss(labels[e], s);
                float g = (float) (w * loss.gradient(labels[e], s));
                forUsers.addEvent(u, g, itemParams, i * width, times[e]);
                forItems.addEvent(i, g, userParams, u * width, times[e]);
            }
        }
        GlobalMean mean = model.mean();
        for (int e = 0; e < n; e++) {
            mean.add(labels[e], weights[e]);
        }
        model.addEventsSeen(n);
        pending = 0;
        return total;
    }

    /**
     * {@code dots[e] = }{@link Model#dot} of event {@code e}'s user and item factors, bit for bit: each product
     * is summed in factor order, but four events are interleaved so the adds of one event do not wait for each
     * other.
     */
    private void dots(float[] up, float[] ip, int width, int n) {
        int e = 0;
        for (; e + 3 < n; e += 4) {
            int u0 = users[e] * width;
            int u1 = users[e + 1] * width;
            int u2 = users[e + 2] * width;
            int u3 = users[e + 3] * width;
            int i0 = items[e] * width;
            int i1 = items[e + 1] * width;
            int i2 = items[e + 2] * width;
            int i3 = items[e + 3] * width;
            float d0 = 0f;
            float d1 = 0f;
            float d2 = 0f;
            float d3 = 0f;
            for (int f = 1; f < width; f++) {
                d0 += up[u0 + f] * ip[i0 + f];
                d1 += up[u1 + f] * ip[i1 + f];
                d2 += up[u2 + f] * ip[i2 + f];
                d3 += up[u3 + f] * ip[i3 + f];
            }
            dots[e] = d0;
            dots[e + 1] = d1;
            dots[e + 2] = d2;
            dots[e + 3] = d3;
        }
        for (; e < n; e++) {
            dots[e] = Model.dot(up, users[e] * width + 1, ip, items[e] * width + 1, width - 1);
        }
    }

    /** Steps the user rows accumulated by {@link #computeGradients}. */
    public void applyUsers(GradientAccumulator forUsers, float learningRate) {
        updater.apply(model.users(), forUsers, learningRate);
    }

    /** Row updater for callers that step rows themselves (the item processor). */
    public RowUpdater updater() {
        return updater;
    }

    /**
     * What one flush did.
     *
     * @param events       events in the batch
     * @param meanLoss     mean weighted loss of the batch, before the step
     * @param learningRate the rate the step used
     * @param userRows     row numbers of the user rows that changed
     * @param itemRows     row numbers of the item rows that changed
     */
    public record FlushResult(int events, double meanLoss, double learningRate, int[] userRows, int[] itemRows) {
        public static final FlushResult EMPTY = new FlushResult(0, Double.NaN, Double.NaN, new int[0], new int[0]);
    }
}
