package io.streamrec.stream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Do the labels arriving now still follow the accepted model's order of items? The gate's label check
 * (docs/gate.md, "The label check"). For each event, x is the item's bias in the model before it learns the event
 * (the item's accepted quality) and y the label. On a healthy stream the slope of y on x (least squares, with an
 * intercept) is positive: users rate better items higher. Flipped labels turn it negative, constant or random labels
 * flatten it to zero, whatever the users' own rows learn meanwhile: a prequential error shows a flip only briefly,
 * because a user's row learns the flipped taste within a few events, while the items' order moves slowly. A harsh
 * or a generous rater, or a new one, shifts the intercept, not the slope.
 *
 * <p>The slope misses labels shifted as a whole (every label a point lower: a producer on another scale), so the
 * check also compares their level: the recent events' mean residual from the history's line, which is about 0 on a
 * healthy stream. The labels are suspect when it moves by more than {@code fraction} of the history's residual
 * standard deviation (a typical label's deviation from its item's expectation), significantly: one rater's level
 * is one cluster, so it takes many users moved together.
 *
 * <p>The newest {@code recentEvents} events are compared with the {@code historyEvents} before them, which take
 * events only while the stream is accepted. The labels are suspect when the recent slope is below {@code fraction}
 * of the history's by more than the t quantile at {@code z} standard errors. Events of one user are not independent
 * (ML-100K users rate dozens of items in a row), so the standard error is cluster-robust by user, with the usual
 * small-sample correction for few clusters; fewer than {@link #MIN_USERS} users in the recent events are not judged.
 * Every statistic is kept incrementally: an event costs O(1).
 *
 * <p>State: one instance per user task. The history is what a restarted task cannot rebuild (it grows only while the
 * stream is accepted, so a task restarted during an attack would otherwise refill it with the attack): it is saved
 * once it holds enough to judge, then each time it has turned over, and when it was cleared ({@link #saveDue},
 * {@link #historyState}); a restarted task reads it back ({@link #restoreHistory}). The recent events are not saved: they refill
 * in {@code recentEvents} events, before which the check does not judge.
 */
final class LabelCheck {
    /** Fewer users than this in the recent events: too few independent observations to judge. */
    static final int MIN_USERS = 10;

    private final int recentEvents;
    private final int historyEvents;
    private final double fraction;
    private final double z;
    private final Window recent = new Window();
    private final Window history = new Window();
    private double recentSlope = Double.NaN;
    private double historySlope = Double.NaN;
    private double lastZ = Double.NaN;
    private double recentShift = Double.NaN;
    private double shiftBar = Double.NaN;
    private double lastShiftZ = Double.NaN;
    /** Events the history took in since {@link #historyState} last ran, and whether it was cleared meanwhile. */
    private int addedSinceSave;

    private boolean clearedSinceSave;
    /** Whether a history that can judge was saved (or restored): then it is saved again when it has turned over. */
    private boolean savedOnce;

    LabelCheck(int recentEvents, int historyEvents, double fraction, double z) {
        if (recentEvents < 2 || historyEvents < recentEvents) {
            throw new IllegalArgumentException(
                    "expected 2 <= recentEvents <= historyEvents, got " + recentEvents + " and " + historyEvents);
        }
        this.recentEvents = recentEvents;
        this.historyEvents = historyEvents;
        this.fraction = fraction;
        this.z = z;
    }

    /** An event: its user, the item's bias {@code x} and the label {@code y}; {@code accepting}: history may grow. */
    void add(String user, double x, double y, boolean accepting) {
        recent.add(user, x, y);
        if (recent.size() > recentEvents) {
            Window.Event e = recent.removeOldest();
            if (accepting) {
                history.add(e.user(), e.x(), e.y());
                addedSinceSave++;
                if (history.size() > historyEvents) {
                    history.removeOldest();
                }
            }
        }
    }

    /**
     * True when the recent labels follow the items' order less than {@code fraction} as much as the history's, or
     * their level has moved by more than {@code fraction} of the history's residual standard deviation.
     */
    boolean suspect() {
        if (!judges()) {
            return false;
        }
        int users = recent.users();
        historySlope = history.slope();
        recentSlope = recent.slope();
        double bar = fraction * historySlope;
        // Few clusters: the cluster-robust variance is scaled by G/(G-1) and compared with Student's t on G-1
        // degrees of freedom, the usual small-sample correction (Cameron and Miller 2015).
        double small = users / (users - 1.0);
        double t = studentT(z, users - 1);
        double se = Math.sqrt(recent.slopeVariance(recentSlope) * small);
        lastZ = se > 0 ? (bar - recentSlope) / se : 0;
        boolean flatter = historySlope > 0 && recentSlope < bar && lastZ > t;
        double a = history.intercept(historySlope);
        recentShift = recent.meanResidual(a, historySlope);
        shiftBar = fraction * history.residualDeviation(historySlope);
        double seShift = Math.sqrt(recent.meanResidualVariance(a, historySlope, recentShift) * small);
        lastShiftZ = seShift > 0 ? (Math.abs(recentShift) - shiftBar) / seShift : 0;
        boolean shifted = Math.abs(recentShift) > shiftBar && lastShiftZ > t;
        return flatter || shifted;
    }

    /**
     * The quantile of Student's t with {@code dof} degrees of freedom at the normal quantile {@code z}
     * (Cornish-Fisher expansion; at z = 3 within 0.5% of the exact value from {@code MIN_USERS - 1} degrees of
     * freedom on).
     */
    static double studentT(double z, int dof) {
        double z3 = z * z * z;
        double z5 = z3 * z * z;
        double z7 = z5 * z * z;
        double v = dof;
        return z
                + (z3 + z) / (4 * v)
                + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
                + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
    }

    /**
     * True when the check can judge and the recent slope is back above {@code fraction} of the history's: the end
     * of a suspicion (a check that cannot judge, for lack of users in the recent events, ends none).
     */
    boolean agrees() {
        if (!judges()) {
            return false;
        }
        double b = history.slope();
        double shift = recent.meanResidual(history.intercept(b), b);
        return recent.slope() >= fraction * b && Math.abs(shift) <= fraction * history.residualDeviation(b);
    }

    /** Whether the check can judge: the recent events all in, half the history, and enough users among them. */
    private boolean judges() {
        return recent.size() >= recentEvents && history.size() >= historyEvents / 2 && recent.users() >= MIN_USERS;
    }

    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "recent slope %.3f over %d events of %d users, history slope %.3f over %d events, t %.2f;"
                        + " level shift %.3f against %.3f, t %.2f",
                recentSlope,
                recent.size(),
                recent.users(),
                historySlope,
                history.size(),
                lastZ,
                recentShift,
                shiftBar,
                lastShiftZ);
    }

    double recentSlope() {
        return recentSlope;
    }

    double historySlope() {
        return historySlope;
    }

    double z() {
        return lastZ;
    }

    /** The recent events' mean residual from the history's line at the last {@link #suspect}, in label units. */
    double recentShift() {
        return recentShift;
    }

    /** Starts over: the stream from now on is the accepted one (after a rollback or a restart). */
    void clear() {
        recent.clear();
        history.clear();
        clearedSinceSave = true;
        addedSinceSave = 0;
    }

    /**
     * Whether the history should be saved: it was cleared, or it can judge for the first time, or it turned over
     * since the last save (at most {@code historyEvents} events of history lost to a restart, for one write of the
     * history per {@code historyEvents} accepted events).
     */
    boolean saveDue() {
        return clearedSinceSave
                || addedSinceSave >= historyEvents
                || (!savedOnce && history.size() >= historyEvents / 2);
    }

    /**
     * The history, oldest first: format version 1, the count, then per event the user (modified UTF-8), x and y
     * (floats: an item bias and a label need no more). Only the newest events that fit in {@link
     * Codecs#MAX_STATE_BYTES} (4,000 events of 20-character ids take about 120 KB).
     */
    byte[] historyState() {
        addedSinceSave = 0;
        clearedSinceSave = false;
        savedOnce = history.size() >= historyEvents / 2;
        int keep = 0;
        long size = 0;
        for (var it = history.newestFirst(); it.hasNext(); keep++) {
            size += Codecs.utfBound(it.next().user()) + 8;
            if (size > Codecs.MAX_STATE_BYTES) {
                break;
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeInt(keep);
            int skip = history.size() - keep;
            for (Window.Event e : history.events()) {
                if (skip-- > 0) {
                    continue;
                }
                out.writeUTF(e.user());
                out.writeFloat((float) e.x());
                out.writeFloat((float) e.y());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** Replaces the history with what {@link #historyState} saved; the recent events start empty. */
    void restoreHistory(byte[] state) {
        recent.clear();
        history.clear();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int version = in.readByte();
            if (version != 1) {
                throw new IllegalStateException("unknown label history format " + version);
            }
            int n = in.readInt();
            for (int k = 0; k < n; k++) {
                history.add(in.readUTF(), in.readFloat(), in.readFloat());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a truncated label history in the task-state store", e);
        }
        while (history.size() > historyEvents) {
            history.removeOldest();
        }
        addedSinceSave = 0;
        clearedSinceSave = false;
        savedOnce = history.size() >= historyEvents / 2;
    }

    int historySize() {
        return history.size();
    }

    /**
     * Events in arrival order; their sums Σx, Σy, Σxy, Σx², n; per user the vector v_u = (Σxy, Σx, Σy, n, Σx²) of
     * theirs; and M = Σ_u v_u v_uᵀ, from which the cluster-robust variance of the slope follows for any means and
     * slope: each user's score Σ_{i∈u} (x_i − x̄)·e_i, with e_i the residual, is a linear form w·v_u.
     */
    private static final class Window {
        record Event(String user, double x, double y) {}

        private final ArrayDeque<Event> events = new ArrayDeque<>();
        private final Map<String, double[]> byUser = new HashMap<>();
        private final double[] total = new double[5];
        /** Σy², for the residual deviation; no user's share of it is needed. */
        private double syy;

        private final double[][] m = new double[5][5];

        /** Adds between two rebuilds from the events: running sums that add and subtract drift in floating point. */
        private static final int REBUILD_EVERY = 1 << 16;

        private int addsSinceRebuild;

        void add(String user, double x, double y) {
            events.addLast(new Event(user, x, y));
            move(user, x, y, 1);
            if (++addsSinceRebuild >= REBUILD_EVERY) {
                rebuild();
            }
        }

        /** Every sum again from the events held: O(window) once per {@link #REBUILD_EVERY} adds. */
        private void rebuild() {
            byUser.clear();
            java.util.Arrays.fill(total, 0);
            syy = 0;
            for (double[] row : m) {
                java.util.Arrays.fill(row, 0);
            }
            for (Event e : events) {
                move(e.user(), e.x(), e.y(), 1);
            }
            addsSinceRebuild = 0;
        }

        Event removeOldest() {
            Event e = events.removeFirst();
            move(e.user(), e.x(), e.y(), -1);
            return e;
        }

        private void move(String user, double x, double y, int sign) {
            double[] v = byUser.computeIfAbsent(user, k -> new double[5]);
            outer(v, -1);
            double[] d = {x * y, x, y, 1, x * x};
            for (int k = 0; k < 5; k++) {
                v[k] += sign * d[k];
                total[k] += sign * d[k];
            }
            syy += sign * y * y;
            if (v[3] == 0) {
                byUser.remove(user);
                return;
            }
            outer(v, 1);
        }

        private void outer(double[] v, int sign) {
            for (int r = 0; r < 5; r++) {
                for (int c = 0; c < 5; c++) {
                    m[r][c] += sign * v[r] * v[c];
                }
            }
        }

        int size() {
            return events.size();
        }

        Iterable<Event> events() {
            return events;
        }

        java.util.Iterator<Event> newestFirst() {
            return events.descendingIterator();
        }

        int users() {
            return byUser.size();
        }

        private double sxx() {
            double n = total[3];
            return total[4] - total[1] * total[1] / n;
        }

        double slope() {
            double n = total[3];
            double sxx = sxx();
            return sxx > 0 ? (total[0] - total[1] * total[2] / n) / sxx : 0;
        }

        /** Σ_u (Σ_{i∈u} (x_i − x̄)·e_i)² / Sxx², with e_i = y_i − ȳ − β(x_i − x̄): each user's events one cluster. */
        double slopeVariance(double beta) {
            double n = total[3];
            double mx = total[1] / n;
            double my = total[2] / n;
            double[] w = {1, -my + 2 * beta * mx, -mx, mx * my - beta * mx * mx, -beta};
            double q = 0;
            for (int r = 0; r < 5; r++) {
                for (int c = 0; c < 5; c++) {
                    q += w[r] * m[r][c] * w[c];
                }
            }
            double sxx = sxx();
            return sxx > 0 ? Math.max(0, q) / (sxx * sxx) : 0;
        }

        /** The least-squares intercept at slope {@code beta}: ȳ − β x̄. */
        double intercept(double beta) {
            double n = total[3];
            return (total[2] - beta * total[1]) / n;
        }

        /** The standard deviation of the residuals from the least-squares line at slope {@code beta}. */
        double residualDeviation(double beta) {
            double n = total[3];
            double syyCentered = syy - total[2] * total[2] / n;
            return n > 2 ? Math.sqrt(Math.max(0, syyCentered - beta * beta * sxx()) / (n - 2)) : 0;
        }

        /** The mean of y − a − βx over the window: its level against another window's line. */
        double meanResidual(double a, double beta) {
            double n = total[3];
            return (total[2] - a * n - beta * total[1]) / n;
        }

        /**
         * Σ_u (Σ_{i∈u} (e_i − ē))² / n², with e_i = y_i − a − βx_i and ē their mean: the cluster-robust variance of
         * {@link #meanResidual}, each user one cluster; user u's term is the linear form w·v_u.
         */
        double meanResidualVariance(double a, double beta, double mean) {
            double n = total[3];
            double[] w = {0, -beta, 1, -(a + mean), 0};
            double q = 0;
            for (int r = 0; r < 5; r++) {
                for (int c = 0; c < 5; c++) {
                    q += w[r] * m[r][c] * w[c];
                }
            }
            return Math.max(0, q) / (n * n);
        }

        void clear() {
            events.clear();
            byUser.clear();
            java.util.Arrays.fill(total, 0);
            syy = 0;
            for (double[] row : m) {
                java.util.Arrays.fill(row, 0);
            }
        }
    }
}
