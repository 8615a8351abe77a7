package io.streamrec.eval;

/**
 * Log loss and ROC AUC of predicted probabilities against 0/1 labels. AUC is computed exactly over all
 * predictions seen, by binning them into a fine histogram (1e-5 wide): the rank statistic without keeping the
 * predictions, with ties inside a bin counted as half, as the Mann-Whitney statistic counts them.
 */
public final class BinaryMetrics {
    private static final int BINS = 100_000;
    private static final double EPS = 1e-15;
    private final long[] positives = new long[BINS + 1];
    private final long[] negatives = new long[BINS + 1];
    private double sumLogLoss;
    private long n;

    public void add(double label, double probability) {
        double p = Double.isNaN(probability) ? 0.5 : Math.min(Math.max(probability, EPS), 1 - EPS);
        boolean positive = label >= 0.5;
        sumLogLoss += positive ? -Math.log(p) : -Math.log(1 - p);
        int bin = (int) Math.round(
                p * BINS); // clamped like the log loss: a score outside [0, 1] or NaN cannot index out of range
        if (positive) {
            positives[bin]++;
        } else {
            negatives[bin]++;
        }
        n++;
    }

    public long count() {
        return n;
    }

    public double logLoss() {
        return n == 0 ? Double.NaN : sumLogLoss / n;
    }

    /** The area under the ROC curve, or NaN until both classes were seen. */
    public double auc() {
        double negBelow = 0;
        double area = 0;
        long pos = 0;
        long neg = 0;
        for (int b = 0; b <= BINS; b++) {
            area += positives[b] * (negBelow + 0.5 * negatives[b]);
            negBelow += negatives[b];
            pos += positives[b];
            neg += negatives[b];
        }
        return pos == 0 || neg == 0 ? Double.NaN : area / ((double) pos * neg);
    }
}
