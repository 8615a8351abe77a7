package io.streamrec.metrics;

import java.util.Arrays;

/**
 * Progressive-validation ("prequential") errors over the last {@code capacity} events.
 *
 * <p>A ring buffer of (label, prediction) pairs: {@link #add} is O(1) and takes a short lock; the
 * figures are computed from the buffer when read (O(capacity), O(capacity log capacity) for AUC), which
 * happens once per scrape or history sample, not per event. Recomputing on read instead of keeping
 * running sums avoids the floating-point drift of subtracting the values that leave the window.
 *
 * <p>Log loss and AUC only mean something for a logistic model: they are NaN unless every label in the
 * window is 0 or 1 and every prediction is a probability in [0, 1].
 */
public final class PrequentialWindow {
    /** Predictions are clipped to [EPS, 1 - EPS] so one confident miss gives a large but finite log loss. */
    static final double LOGLOSS_EPS = 1e-15;

    private final double[] labels;
    private final double[] predictions;
    private int next;
    private int size;

    public PrequentialWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("window capacity must be at least 1, got " + capacity);
        }
        labels = new double[capacity];
        predictions = new double[capacity];
    }

    /** Adds one scored event; non-finite values are ignored (they would poison every figure). */
    public void add(double label, double prediction) {
        if (!Double.isFinite(label) || !Double.isFinite(prediction)) {
            return;
        }
        synchronized (this) {
            put(label, prediction);
        }
    }

    /** Adds the first {@code n} scored events of the two arrays under one lock; non-finite pairs are ignored. */
    public void addAll(double[] labels, double[] predictions, int n) {
        synchronized (this) {
            for (int k = 0; k < n; k++) {
                if (Double.isFinite(labels[k]) && Double.isFinite(predictions[k])) {
                    put(labels[k], predictions[k]);
                }
            }
        }
    }

    /** Writes one event over the oldest; the caller holds the lock. */
    private void put(double label, double prediction) {
        labels[next] = label;
        predictions[next] = prediction;
        next = (next + 1) % labels.length;
        if (size < labels.length) {
            size++;
        }
    }

    /** Figures over the current window; NaN where undefined (empty window, non-binary labels). */
    public Snapshot snapshot() {
        double[] y;
        double[] p;
        synchronized (this) {
            y = Arrays.copyOf(labels, size);
            p = Arrays.copyOf(predictions, size);
        }
        return compute(y, p);
    }

    static Snapshot compute(double[] y, double[] p) {
        int n = y.length;
        if (n == 0) {
            return new Snapshot(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double squared = 0;
        double absolute = 0;
        boolean binary = true;
        for (int i = 0; i < n; i++) {
            double e = p[i] - y[i];
            squared += e * e;
            absolute += Math.abs(e);
            binary &= (y[i] == 0.0 || y[i] == 1.0) && p[i] >= 0.0 && p[i] <= 1.0;
        }
        double rmse = Math.sqrt(squared / n);
        double mae = absolute / n;
        if (!binary) {
            return new Snapshot(n, rmse, mae, Double.NaN, Double.NaN);
        }
        return new Snapshot(n, rmse, mae, logLoss(y, p), auc(y, p));
    }

    static double logLoss(double[] y, double[] p) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            double q = Math.min(Math.max(p[i], LOGLOSS_EPS), 1 - LOGLOSS_EPS);
            sum -= y[i] == 1.0 ? Math.log(q) : Math.log(1 - q);
        }
        return sum / y.length;
    }

    /**
     * Area under the ROC curve by the Mann-Whitney U statistic, ties sharing their average rank;
     * NaN when the window holds a single class.
     */
    static double auc(double[] y, double[] p) {
        int n = y.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[a], p[b]));
        double positiveRankSum = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && p[order[j + 1]] == p[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1; // ranks are 1-based
            for (int k = i; k <= j; k++) {
                if (y[order[k]] == 1.0) {
                    positiveRankSum += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** Prequential figures over {@code count} events. */
    public record Snapshot(int count, double rmse, double mae, double logLoss, double auc) {}
}
