package io.streamrec.learn;

import io.streamrec.model.ModelKind;

/**
 * Everything that defines how a model is shaped and trained. Validated on construction; the defaults
 * ({@link #defaults(ModelKind)}) are the ones README's figures were measured with.
 *
 * @param kind       biased or logistic matrix factorization
 * @param factors    latent dimensions per row, 1..1024
 * @param initStd    standard deviation of the Gaussian that initializes factors (biases start at 0)
 * @param seed       seed of the deterministic per-id row initialization
 * @param optimizer  the optimizer (its per-row state lives with the row)
 * @param schedule   the learning rate as a function of events seen
 * @param regBias    L2 penalty on biases, applied once per event that touches the row
 * @param regFactor  L2 penalty on factors, applied once per event that touches the row
 * @param clipNorm   rows' accumulated gradients are rescaled to at most this L2 norm (0 = no clipping)
 * @param minLabel   smallest valid label (predictions of the biased model are clamped to it)
 * @param maxLabel   largest valid label
 * @param userScale  the user's scale on the item bias, (1 + c_u) b_i (Koren 2009's c_u(t) without its day term):
 *                   biased-mf with row-wise AdaGrad only. A row then holds one more coordinate after its factors:
 *                   c_u in a user row, a copy of b_i in an item row, so that the published rows' dot product
 *                   carries c_u b_i and a client needs no change; c_u has an accumulator of its own
 *                   (docs/neighbourhood.md says why).
 */
public record Hyperparameters(
        ModelKind kind,
        int factors,
        double initStd,
        long seed,
        Optimizer optimizer,
        LearningRateSchedule schedule,
        double regBias,
        double regFactor,
        double clipNorm,
        float minLabel,
        float maxLabel,
        boolean userScale) {

    public Hyperparameters {
        if (kind == null || optimizer == null || schedule == null) {
            throw new IllegalArgumentException("kind, optimizer and schedule are required");
        }
        if (kind == ModelKind.POPULARITY) {
            // Popularity has nothing to tune: one SGD step of rate 1 per event adds the event's weight to the
            // item bias (ImplicitLearner gives the item a gradient of -weight), so every instance counts alike.
            factors = 1;
            initStd = 0;
            optimizer = new Optimizer.Sgd();
            schedule = new LearningRateSchedule.Constant(1);
            regBias = 0;
            regFactor = 0;
            clipNorm = 0;
        }
        if (factors < 1 || factors > 1024) {
            throw new IllegalArgumentException("factors must be in 1..1024, got " + factors);
        }
        if (!(initStd >= 0) || !Double.isFinite(initStd)) {
            throw new IllegalArgumentException("init-std must be a finite number >= 0, got " + initStd);
        }
        if (!(regBias >= 0) || !(regFactor >= 0)) {
            throw new IllegalArgumentException(
                    "regularization must be >= 0, got bias " + regBias + ", factors " + regFactor);
        }
        if (!(clipNorm >= 0)) {
            throw new IllegalArgumentException("clip-norm must be >= 0 (0 disables clipping), got " + clipNorm);
        }
        if (!(minLabel < maxLabel) || !Float.isFinite(minLabel) || !Float.isFinite(maxLabel)) {
            throw new IllegalArgumentException(
                    "label range must be finite with min < max, got [" + minLabel + ", " + maxLabel + "]");
        }
        if (kind.binaryLabels() && (minLabel != 0f || maxLabel != 1f)) {
            throw new IllegalArgumentException(kind.id() + " takes 0/1 labels: label range must be [0, 1], got ["
                    + minLabel + ", " + maxLabel + "]; map ratings to positives with --positives MIN"
                    + " (model.positives)");
        }
        if (userScale && (kind != ModelKind.BIASED_MF || !(optimizer instanceof Optimizer.RowAdaGrad))) {
            throw new IllegalArgumentException("user-scale (--user-scale, model.user.scale) needs model "
                    + ModelKind.BIASED_MF.id() + " with optimizer row-adagrad, got " + kind.id() + " with "
                    + optimizer.name());
        }
    }

    /** Parameters per row: one bias, {@code factors} latent values, and with the user scale c_u or b_i's copy. */
    public int width() {
        return factors + 1 + (userScale ? 1 : 0);
    }

    /** Optimizer-state floats per row: the optimizer's, and with the user scale c_u's own accumulator. */
    public int stateSize() {
        return optimizer.stateSize(width()) + (userScale ? 1 : 0);
    }

    /**
     * Defaults that work well on MovieLens-like ratings (biased) or click streams (logistic), tuned by
     * progressive validation on MovieLens-100K: AdaGrad with epsilon 1, which damps the first steps of a new row
     * (AdaGrad's first step is otherwise a full {@code ±lr} whatever the gradient's size), learning rate 0.3,
     * L2 0.05 on biases and factors, 32 factors initialized with deviation 0.05. AdaGrad is LIBMF's row-wise form
     * ({@link Optimizer.RowAdaGrad}, Chin et al. 2015): 2 floats of state per row instead of 33, for the same
     * prequential error on MovieLens-100K and on synthetic streams (docs/benchmarks.md).
     */
    public static Hyperparameters defaults(ModelKind kind) {
        Optimizer adagrad = new Optimizer.RowAdaGrad(Optimizer.AdaGrad.DEFAULT_EPSILON);
        Optimizer sgd = new Optimizer.Sgd();
        switch (kind) {
            case BPR, FISM -> {
                // Rendle et al. 2009's learner as its authors ship it (MyMediaLite BPRMF; LensKit's BPR too):
                // plain SGD, rate 0.05, L2 0.0025, 10 factors drawn with deviation 0.1. FISM trains with the same
                // pairwise loss and SGD (Kabbur et al. 2013), so it takes the same settings.
                return new Hyperparameters(
                        kind,
                        10,
                        0.1,
                        42,
                        sgd,
                        new LearningRateSchedule.Constant(0.05),
                        0.0025,
                        0.0025,
                        10,
                        0f,
                        1f,
                        false);
            }
            case IMPLICIT_LOGISTIC -> {
                // ISGD's setting for positives-only streams (Vinagre, Jorge and Gama 2014): k = 10, rate 0.05,
                // L2 0.01; the negatives per positive are ImplicitLearner's.
                return new Hyperparameters(
                        kind, 10, 0.1, 42, sgd, new LearningRateSchedule.Constant(0.05), 0.01, 0.01, 10, 0f, 1f, false);
            }
            case POPULARITY -> {
                return new Hyperparameters(
                        kind, 1, 0, 42, sgd, new LearningRateSchedule.Constant(1), 0, 0, 0, 0f, 1f, false);
            }
            default -> {}
        }
        if (kind == ModelKind.LOGISTIC_MF) {
            return new Hyperparameters(
                    kind, 32, 0.05, 42, adagrad, new LearningRateSchedule.Constant(0.3), 0.01, 0.02, 10, 0f, 1f, false);
        }
        return new Hyperparameters(
                kind, 32, 0.05, 42, adagrad, new LearningRateSchedule.Constant(0.3), 0.05, 0.05, 10, 1f, 5f, false);
    }

    /**
     * Defaults for batch pretraining: as {@link #defaults} but a smaller learning rate (0.05) and stronger factor
     * regularization (0.1), since epochs revisit every event; tuned on MovieLens-100K with an 80/20 holdout.
     */
    public static Hyperparameters pretrainDefaults(ModelKind kind) {
        Hyperparameters d = defaults(kind);
        if (kind.positivesOnly()) {
            return d; // the published settings above are already those of epoch training
        }
        return d.withSchedule(new LearningRateSchedule.Constant(0.05)).withRegularization(d.regBias(), 0.1);
    }

    public Hyperparameters withOptimizer(Optimizer o) {
        return new Hyperparameters(
                kind, factors, initStd, seed, o, schedule, regBias, regFactor, clipNorm, minLabel, maxLabel, userScale);
    }

    public Hyperparameters withSchedule(LearningRateSchedule s) {
        return new Hyperparameters(
                kind, factors, initStd, seed, optimizer, s, regBias, regFactor, clipNorm, minLabel, maxLabel,
                userScale);
    }

    public Hyperparameters withFactors(int k) {
        return new Hyperparameters(
                kind, k, initStd, seed, optimizer, schedule, regBias, regFactor, clipNorm, minLabel, maxLabel,
                userScale);
    }

    public Hyperparameters withRegularization(double bias, double factor) {
        return new Hyperparameters(
                kind, factors, initStd, seed, optimizer, schedule, bias, factor, clipNorm, minLabel, maxLabel,
                userScale);
    }

    public Hyperparameters withClipNorm(double c) {
        return new Hyperparameters(
                kind, factors, initStd, seed, optimizer, schedule, regBias, regFactor, c, minLabel, maxLabel,
                userScale);
    }

    public Hyperparameters withInit(double std, long s) {
        return new Hyperparameters(
                kind, factors, std, s, optimizer, schedule, regBias, regFactor, clipNorm, minLabel, maxLabel,
                userScale);
    }

    public Hyperparameters withUserScale(boolean on) {
        return new Hyperparameters(
                kind, factors, initStd, seed, optimizer, schedule, regBias, regFactor, clipNorm, minLabel, maxLabel,
                on);
    }

    public Hyperparameters withLabelRange(float min, float max) {
        return new Hyperparameters(
                kind, factors, initStd, seed, optimizer, schedule, regBias, regFactor, clipNorm, min, max, userScale);
    }
}
