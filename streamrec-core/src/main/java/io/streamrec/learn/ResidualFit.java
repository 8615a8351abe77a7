package io.streamrec.learn;

/**
 * An online ridge regression (unit ridge) of a model's residual on a few features: the sufficient statistics X'X and
 * X'y, and the weights solved from them after each observation; the statistics are what a saved fit keeps
 * ({@link #sums}). Not thread-safe.
 */
public final class ResidualFit {
    private final double[][] xtx;
    private final double[] xty;
    private double[] weights;
    /** The augmented system's scratch, reused at every solve. */
    private final double[][] system;

    public ResidualFit(int features) {
        if (features < 1) {
            throw new IllegalArgumentException("a fit needs at least one feature, got " + features);
        }
        xtx = new double[features][features];
        xty = new double[features];
        weights = new double[features];
        system = new double[features][features + 1];
    }

    /** x . weights: the fitted residual for features {@code x}. */
    public double predict(double[] x) {
        double s = 0;
        for (int f = 0; f < weights.length; f++) {
            s += weights[f] * x[f];
        }
        return s;
    }

    /** Adds one observation and solves the weights again. */
    public void add(double[] x, double residual) {
        int d = xty.length;
        for (int a = 0; a < d; a++) {
            xty[a] += x[a] * residual;
            for (int b = 0; b < d; b++) {
                xtx[a][b] += x[a] * x[b];
            }
        }
        weights = solve(xtx, xty, system);
    }

    public double[] weights() {
        return weights.clone();
    }

    /** The sufficient statistics, X'X row by row then X'y: what a saved fit needs. */
    public double[] sums() {
        int d = xty.length;
        double[] out = new double[d * d + d];
        for (int a = 0; a < d; a++) {
            System.arraycopy(xtx[a], 0, out, a * d, d);
        }
        System.arraycopy(xty, 0, out, d * d, d);
        return out;
    }

    /** Sets the statistics to {@code sums} (as {@link #sums} gives them) and solves the weights from them. */
    public void restore(double[] sums) {
        int d = xty.length;
        if (sums.length != d * d + d) {
            throw new IllegalArgumentException(
                    "a fit of " + d + " features has " + (d * d + d) + " sums, got " + sums.length);
        }
        for (int a = 0; a < d; a++) {
            System.arraycopy(sums, a * d, xtx[a], 0, d);
        }
        System.arraycopy(sums, d * d, xty, 0, d);
        weights = solve(xtx, xty, system);
    }

    /** (X'X + I)^-1 X'y by Gaussian elimination (X'X + I is positive definite: no pivoting needed). */
    static double[] solve(double[][] xtx, double[] xty) {
        return solve(xtx, xty, new double[xty.length][xty.length + 1]);
    }

    private static double[] solve(double[][] xtx, double[] xty, double[][] m) {
        int d = xty.length;
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                m[a][b] = xtx[a][b] + (a == b ? 1 : 0);
            }
            m[a][d] = xty[a];
        }
        for (int c = 0; c < d; c++) {
            for (int r = c + 1; r < d; r++) {
                double f = m[r][c] / m[c][c];
                for (int c2 = c; c2 <= d; c2++) {
                    m[r][c2] -= f * m[c][c2];
                }
            }
        }
        double[] beta = new double[d];
        for (int r = d - 1; r >= 0; r--) {
            double v = m[r][d];
            for (int c2 = r + 1; c2 < d; c2++) {
                v -= m[r][c2] * beta[c2];
            }
            beta[r] = v / m[r][r];
        }
        return beta;
    }
}
