package io.streamrec.learn;

import io.streamrec.data.Rating;
import io.streamrec.model.ModelKind;
import java.util.List;
import java.util.function.IntConsumer;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Biased alternating least squares for explicit ratings, the second way to pretrain ({@code pretrain --algorithm
 * als}). The model is the biased MF of Koren, Bell and Volinsky (2009), {@code mu + b_u + b_i + p_u . q_i}, with
 * {@code mu} fixed at the (weighted) training mean. Holding the item rows fixed, each user's row is the solution
 * of a small ridge regression of {@code r - mu - b_i} on {@code [1, q_i]} over the user's ratings:
 * <pre>
 *   (sum_i w x_i x_i^T + lambda n_u I) (b_u, p_u) = sum_i w (r_ui - mu - b_i) x_i,   x_i = (1, q_i)
 * </pre>
 * then the same for every item with the user rows fixed; one iteration solves all users, then all items.
 *
 * <p>Regularization is weighted-lambda ("ALS-WR", Zhou, Wilkinson, Schreiber and Pan, 2008): row {@code u}'s
 * penalty is {@code lambda * n_u}, where {@code n_u} is the row's total event weight (its rating count for unit
 * weights); bias and factors share it. On MovieLens-100K ({@code Holdout.random(all, 0.8, 42)}, 15 iterations)
 * the best held-out RMSE was 0.9112 with 32 factors and lambda 0.12 (0.9106 with 50 factors), against 0.9124 for
 * one lambda for every row at its best (10 factors, lambda 12): a small edge, but weighted-lambda also keeps
 * its optimum when the number of factors changes (0.10..0.12 for 10 to 50 factors), where the uniform penalty's
 * optimum moves with it and degrades faster with more factors (0.9205 at 32 factors, lambda 10). Larger lambdas
 * (from about 0.2) shrink the factors to zero and leave a biases-only model (RMSE about 0.949).
 *
 * <p>The {@code (k+1) x (k+1)} systems are symmetric positive definite ({@code lambda > 0}) and solved by EJML's
 * Cholesky solver; the matrices are allocated once and reused for every row. Work per iteration is
 * {@code O(|R| k^2 + (U + I) k^3)}.
 *
 * <p>The resulting {@link Model} carries the given hyper-parameters, so it can be written by {@link ModelSnapshot}
 * and fine-tuned by SGD. Rows are created in order of first appearance with {@link RowInitializer}'s values
 * (the starting item factors); after training each row's version is the number of iterations and its update count
 * the iterations times its events, and the model's events seen is iterations times the training-set size,
 * matching what {@link BatchTrainer} reports for the same number of epochs.
 */
public final class AlternatingLeastSquares {

    /** Iterations measured on MovieLens-100K (see {@link AlternatingLeastSquares}); more do not help. */
    public static final int DEFAULT_ITERATIONS = 15;
    /** The weighted-lambda penalty measured on MovieLens-100K with 32 factors. */
    public static final double DEFAULT_LAMBDA = 0.12;

    private final Hyperparameters hyper;
    private final int iterations;
    private final double lambda;
    private final boolean weightedLambda;

    /**
     * @param hyper      the model's shape ({@code kind} must be biased MF; {@code factors}, {@code initStd},
     *                   {@code seed}) and the settings the trained model is later fine-tuned with
     * @param iterations sweeps over users then items, &gt;= 1
     * @param lambda     the weighted-lambda penalty per unit of row weight, &gt; 0
     */
    public AlternatingLeastSquares(Hyperparameters hyper, int iterations, double lambda) {
        this(hyper, iterations, lambda, true);
    }

    /** With {@code weightedLambda} false every row gets the same penalty {@code lambda} (to compare the two). */
    AlternatingLeastSquares(Hyperparameters hyper, int iterations, double lambda, boolean weightedLambda) {
        if (hyper == null) {
            throw new IllegalArgumentException("hyper-parameters are required, got null");
        }
        if (hyper.userScale()) {
            throw new IllegalArgumentException(
                    "user-scale (--user-scale, model.user.scale) is not supported by als: train without it");
        }
        if (hyper.kind() != ModelKind.BIASED_MF) {
            throw new IllegalArgumentException("ALS fits squared error: the model must be biased-mf, got "
                    + hyper.kind().id());
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("ALS iterations must be >= 1, got " + iterations);
        }
        if (!(lambda > 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("ALS lambda must be a finite number > 0, got " + lambda);
        }
        this.hyper = hyper;
        this.iterations = iterations;
        this.lambda = lambda;
        this.weightedLambda = weightedLambda;
    }

    /**
     * Trains a new model on {@code train}.
     *
     * @param afterIteration told the number of each finished iteration, after the model's rows were updated (for
     *                       progress or per-iteration evaluation); may be null
     * @throws IllegalArgumentException when {@code train} is empty
     */
    public Model train(List<Rating> train, IntConsumer afterIteration) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("ALS needs at least one training rating, got none");
        }
        int n = train.size();
        GlobalMean mean = GlobalMean.of(train);
        Model model = new Model(hyper, mean, 0);
        double mu = mean.value(0);
        int width = hyper.width();
        IndexedRatings events = new IndexedRatings(model, train);
        int users = model.users().size();
        int items = model.items().size();
        double[] userRows = toDouble(model.users(), users);
        double[] itemRows = toDouble(model.items(), items);

        // Ratings grouped by user and by item (compressed rows), so each solve reads only its own events.
        Csr byUser = Csr.of(events.users, users);
        Csr byItem = Csr.of(events.items, items);
        double[] ys = new double[n];
        double[] ws = new double[n];
        for (int e = 0; e < n; e++) {
            ys[e] = train.get(e).label() - mu;
            ws[e] = train.get(e).weight();
        }

        Solver solver = new Solver(width);
        for (int it = 1; it <= iterations; it++) {
            solveAll(solver, byUser, events.items, ys, ws, itemRows, userRows, users);
            solveAll(solver, byItem, events.users, ys, ws, userRows, itemRows, items);
            store(model.users(), userRows, byUser, ws, it);
            store(model.items(), itemRows, byItem, ws, it);
            model.addEventsSeen(n);
            if (afterIteration != null) {
                afterIteration.accept(it);
            }
        }
        return model;
    }

    /** Solves every row of one side with the other side ({@code fixed}) held still. */
    private void solveAll(
            Solver solver,
            Csr rows,
            int[] partner,
            double[] ys,
            double[] ws,
            double[] fixed,
            double[] solved,
            int count) {
        int width = hyper.width();
        for (int r = 0; r < count; r++) {
            solver.reset();
            double weight = 0;
            for (int k = rows.start[r]; k < rows.start[r + 1]; k++) {
                int e = rows.events[k];
                int o = partner[e] * width;
                // Target: the rating minus mu minus the partner's bias; features: 1 then the partner's factors.
                double y = ys[e] - fixed[o];
                solver.add(fixed, o, y, ws[e]);
                weight += ws[e];
            }
            if (weight > 0) {
                solver.solve(weightedLambda ? lambda * weight : lambda, solved, r * width);
            }
        }
    }

    private static double[] toDouble(FactorTable table, int rows) {
        float[] p = table.params();
        double[] out = new double[rows * table.width()];
        for (int j = 0; j < out.length; j++) {
            out[j] = p[j];
        }
        return out;
    }

    private static void store(FactorTable table, double[] rows, Csr byRow, double[] ws, int iterations) {
        int width = table.width();
        float[] row = new float[width];
        for (int r = 0; r < table.size(); r++) {
            for (int j = 0; j < width; j++) {
                row[j] = (float) rows[r * width + j];
            }
            long events = byRow.start[r + 1] - byRow.start[r];
            table.put(table.id(r), row, 0, null, 0, iterations, iterations * events);
        }
    }

    /** Events grouped by row: row {@code r}'s events are {@code events[start[r] .. start[r+1])}. */
    private record Csr(int[] start, int[] events) {
        static Csr of(int[] rowOfEvent, int rows) {
            int[] start = new int[rows + 1];
            for (int r : rowOfEvent) {
                start[r + 1]++;
            }
            for (int r = 0; r < rows; r++) {
                start[r + 1] += start[r];
            }
            int[] next = start.clone();
            int[] events = new int[rowOfEvent.length];
            for (int e = 0; e < rowOfEvent.length; e++) {
                events[next[rowOfEvent[e]]++] = e;
            }
            return new Csr(start, events);
        }
    }

    /** The normal equations of one row, reused for every row: no allocation per solve. */
    private static final class Solver {
        private final int width;
        private final DMatrixRMaj a;
        private final DMatrixRMaj b;
        private final DMatrixRMaj x;
        private final LinearSolverDense<DMatrixRMaj> chol;
        private final double[] features;

        Solver(int width) {
            this.width = width;
            this.a = new DMatrixRMaj(width, width);
            this.b = new DMatrixRMaj(width, 1);
            this.x = new DMatrixRMaj(width, 1);
            this.chol = LinearSolverFactory_DDRM.chol(width);
            this.features = new double[width];
        }

        void reset() {
            a.zero();
            b.zero();
        }

        /** Adds one equation: target {@code y}, features 1 then {@code partner[o+1 .. o+width)}, weight {@code w}. */
        void add(double[] partner, int o, double y, double w) {
            features[0] = 1;
            System.arraycopy(partner, o + 1, features, 1, width - 1);
            double[] ad = a.data;
            double[] bd = b.data;
            // Upper triangle only; solve() mirrors it.
            for (int j = 0; j < width; j++) {
                double wj = w * features[j];
                bd[j] += wj * y;
                int rowStart = j * width;
                for (int l = j; l < width; l++) {
                    ad[rowStart + l] += wj * features[l];
                }
            }
        }

        void solve(double penalty, double[] out, int offset) {
            double[] ad = a.data;
            for (int j = 0; j < width; j++) {
                ad[j * width + j] += penalty;
                for (int l = j + 1; l < width; l++) {
                    ad[l * width + j] = ad[j * width + l];
                }
            }
            if (!chol.setA(a)) {
                throw new IllegalStateException(
                        "ALS normal equations are not positive definite (lambda " + "too small for the data?)");
            }
            chol.solve(b, x);
            System.arraycopy(x.data, 0, out, offset, width);
        }
    }
}
