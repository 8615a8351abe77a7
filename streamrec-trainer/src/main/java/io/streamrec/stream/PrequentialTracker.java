package io.streamrec.stream;

import io.streamrec.eval.BinaryMetrics;
import io.streamrec.eval.WindowedError;

/**
 * A user task's progressive-validation figures for its metrics records: the error over the last 1,000 predictions
 * and, for a logistic model, the binary metrics (log loss, and an AUC recomputed at most every
 * {@code AUC_EVERY_MS}).
 *
 * <p>State: one instance per user task, in memory only; it restarts empty with the task (the totals over the whole
 * run are the listener's, not this class's).
 */
final class PrequentialTracker {
    private static final long AUC_EVERY_MS = 1000;

    private final WindowedError window = new WindowedError(1000);
    private final BinaryMetrics binary;
    /** The AUC of {@link #binary}, recomputed at most every {@link #AUC_EVERY_MS}: it scans the whole histogram. */
    private double auc = Double.NaN;

    private long aucAt;

    /** {@code binary}: whether the model predicts a probability (logistic), for the binary metrics. */
    PrequentialTracker(boolean binary) {
        this.binary = binary ? new BinaryMetrics() : null;
    }

    void add(double label, double prediction) {
        window.add(label, prediction);
        if (binary != null) {
            binary.add(label, prediction);
        }
    }

    double rmse() {
        return window.rmse();
    }

    double mae() {
        return window.mae();
    }

    /** NaN for a model that is not binary. */
    double logLoss() {
        return binary == null ? Double.NaN : binary.logLoss();
    }

    /** NaN for a model that is not binary; else the AUC as of at most {@code AUC_EVERY_MS} before {@code now}. */
    double auc(long now) {
        if (binary != null && now - aucAt >= AUC_EVERY_MS) {
            auc = binary.auc();
            aucAt = now;
        }
        return auc;
    }
}
