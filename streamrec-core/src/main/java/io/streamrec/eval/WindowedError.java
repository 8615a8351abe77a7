package io.streamrec.eval;

/** RMSE and MAE over the last {@code size} predictions (a ring buffer), for learning curves. */
public final class WindowedError {
    private final double[] sq;
    private final double[] abs;
    private int next;
    private int filled;
    private double sumSq;
    private double sumAbs;

    public WindowedError(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("window must be >= 1 events, got " + size);
        }
        sq = new double[size];
        abs = new double[size];
    }

    public void add(double label, double prediction) {
        double e = prediction - label;
        if (filled == sq.length) {
            sumSq -= sq[next];
            sumAbs -= abs[next];
        } else {
            filled++;
        }
        sq[next] = e * e;
        abs[next] = Math.abs(e);
        sumSq += sq[next];
        sumAbs += abs[next];
        next = (next + 1) % sq.length;
    }

    public double rmse() {
        return filled == 0 ? Double.NaN : Math.sqrt(Math.max(sumSq, 0) / filled);
    }

    public double mae() {
        return filled == 0 ? Double.NaN : Math.max(sumAbs, 0) / filled;
    }
}
