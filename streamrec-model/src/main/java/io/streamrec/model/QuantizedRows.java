package io.streamrec.model;

import java.util.Arrays;

/**
 * An 8-bit copy of a factor table, scanned before the float factors so that only the items that may reach the
 * top-k are scored exactly. Row {@code i} is stored as {@code x[f] ~ scale[i] * code[f]} with integer codes in
 * [-127, 127], in groups of {@value #GROUP} rows laid out factor-major ({@code codes[(i / GROUP) * GROUP * k + f *
 * GROUP + i % GROUP]}), so that a vector kernel reads whole groups sequentially and needs no horizontal sums.
 *
 * <h2>The bound</h2>
 * For a query {@code q} the kernel computes {@code A = fl(sum_f q[f] * code[f])} in float, in any order. Then
 * the float dot product {@link ItemScan#dot} of the query and the row satisfies
 * {@code dot <= scale * A + Q * error}, with {@code Q} = {@link #queryNorm} (at least {@code |q|}, Euclidean) and
 * {@code error} (stored rounded up) = {@code scale * g * |code| + |x - scale * code| + g * |x| + k 2^-88}, where
 * {@code g = gamma(k + 1)}, {@code gamma(n) = n u / (1 - n u)}, {@code u = 2^-24} (Higham, Accuracy and Stability
 * of Numerical Algorithms, 2002, section 3.1). The first term bounds the kernel's rounding (a product of a float
 * and a small integer, and sums, round only relatively, even below the normal range), the second the quantization
 * (Cauchy-Schwarz), the third the rounding of the float dot product, and the last, with {@code Q >= 2^-60}, its
 * products that fall below the normal range (each off by at most 2^-150, carried through the sums by a factor of at
 * most 1 + g). No sum overflows: a row with {@code |x| >= 2^60} or a non-finite factor gets scale 0 and an infinite
 * error, so it is never skipped, and a query with {@code |q| >= 2^60} is not bounded at all. {@code scale * A} is
 * a product of two floats, exact in double, and so is {@code Q * error}; since rounding to nearest is monotonic and
 * the float dot is a double, their sum computed in double is still at least the float dot, and so is
 * {@code partial + bound} at least {@code partial + dot} for any double {@code partial}.
 */
final class QuantizedRows {
    /** Rows per group; a multiple of every kernel's lane count. */
    static final int GROUP = 64;

    private static final double UNIT_ROUNDOFF = 0x1p-24;
    /** Covers the double rounding in computing the error itself (relative 1e-14 at most for k below 10^3). */
    private static final double SLACK = 1 + 0x1p-20;
    /** Rows and queries at least this long are not bounded, so that no float sum can overflow. */
    private static final double MAX_NORM = 0x1p60;
    /** The least query norm used, so that {@code k 2^-88} in the error covers underflow in the float dot. */
    private static final float MIN_QUERY_NORM = 0x1p-60f;

    private int k;
    private byte[] codes = new byte[0];
    private float[] scales = new float[0];
    private float[] errors = new float[0];

    byte[] codes() {
        return codes;
    }

    float[] scales() {
        return scales;
    }

    float[] errors() {
        return errors;
    }

    /** Drops every row and sets the factor count. */
    void reset(int k) {
        this.k = k;
        codes = new byte[0];
        scales = new float[0];
        errors = new float[0];
    }

    /** Makes room for rows {@code [0, capacity)}, in whole groups. */
    void ensureCapacity(int capacity) {
        if (scales.length >= capacity) {
            return;
        }
        int rows = (capacity + GROUP - 1) / GROUP * GROUP;
        codes = Arrays.copyOf(codes, rows * k);
        scales = Arrays.copyOf(scales, rows);
        errors = Arrays.copyOf(errors, rows);
    }

    /** Quantizes {@code x[xo .. xo + k)} into row {@code i}. */
    void set(int i, float[] x, int xo) {
        int at = (i / GROUP) * GROUP * k + i % GROUP;
        float max = 0f;
        boolean finite = true;
        for (int f = 0; f < k; f++) {
            float v = x[xo + f];
            finite &= Float.isFinite(v);
            max = Math.max(max, Math.abs(v));
        }
        float scale = max / 127f;
        if (!finite || FactorTable.norm(x, xo, k) >= MAX_NORM) {
            for (int f = 0; f < k; f++) {
                codes[at + f * GROUP] = 0;
            }
            scales[i] = 0f;
            errors[i] = Float.POSITIVE_INFINITY;
            return;
        }
        double codeSquares = 0;
        double residualSquares = 0;
        double squares = 0;
        for (int f = 0; f < k; f++) {
            double v = x[xo + f];
            int code = scale == 0f ? 0 : (int) Math.max(-127, Math.min(127, Math.round(v / scale)));
            codes[at + f * GROUP] = (byte) code;
            double residual = v - (double) scale * code;
            codeSquares += (double) code * code;
            residualSquares += residual * residual;
            squares += v * v;
        }
        double g = gamma(k + 1);
        double error =
                scale * g * Math.sqrt(codeSquares) + Math.sqrt(residualSquares) + g * Math.sqrt(squares) + k * 0x1p-88;
        scales[i] = scale;
        errors[i] = roundUp(error * SLACK);
    }

    /** Copies row {@code from} over row {@code to}. */
    void move(int from, int to) {
        int a = (from / GROUP) * GROUP * k + from % GROUP;
        int b = (to / GROUP) * GROUP * k + to % GROUP;
        for (int f = 0; f < k; f++) {
            codes[b + f * GROUP] = codes[a + f * GROUP];
        }
        scales[to] = scales[from];
        errors[to] = errors[from];
    }

    /**
     * The factor that multiplies each row's error for query {@code q[0 .. k)}: a float at least its Euclidean norm
     * and at least 2^-60; NaN when the query is too long for the bound or not finite (score every row then).
     */
    static float queryNorm(float[] q, int k) {
        double norm = FactorTable.norm(q, 0, k);
        if (!(norm < MAX_NORM)) {
            return Float.NaN;
        }
        return Math.max(MIN_QUERY_NORM, roundUp(norm * SLACK));
    }

    static double gamma(int n) {
        return n * UNIT_ROUNDOFF / (1 - n * UNIT_ROUNDOFF);
    }

    /** The smallest float at least {@code d} (NaN stays NaN). */
    static float roundUp(double d) {
        float f = (float) d;
        return f < d ? Math.nextUp(f) : f;
    }
}
