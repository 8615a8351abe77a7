package io.streamrec.eval;

/** Cumulative RMSE and MAE of predictions against labels. */
public final class RegressionMetrics {
    private double sumSq;
    private double sumAbs;
    private long n;

    public void add(double label, double prediction) {
        double e = prediction - label;
        sumSq += e * e;
        sumAbs += Math.abs(e);
        n++;
    }

    public long count() {
        return n;
    }

    public double rmse() {
        return n == 0 ? Double.NaN : Math.sqrt(sumSq / n);
    }

    public double mae() {
        return n == 0 ? Double.NaN : sumAbs / n;
    }

    public void reset() {
        sumSq = 0;
        sumAbs = 0;
        n = 0;
    }
}
