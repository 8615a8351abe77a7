package io.streamrec.learn;

import io.streamrec.model.RowKind;

/**
 * A matrix-factorization model: hyper-parameters, the user and item tables and the global mean.
 * Scores {@code offset + b_u + b_i + p_u . q_i}, where a row the model has not seen contributes nothing.
 * Not thread-safe.
 */
public final class Model {
    private final Hyperparameters hyper;
    private final FactorTable users;
    private final FactorTable items;
    private final GlobalMean mean;
    private long eventsSeen;

    public Model(Hyperparameters hyper) {
        this(hyper, new GlobalMean(0, 0), 0);
    }

    public Model(Hyperparameters hyper, GlobalMean mean, long eventsSeen) {
        this.hyper = hyper;
        RowInitializer init = new RowInitializer(hyper.seed(), hyper.initStd(), hyper.userScale() ? 1 : 0);
        int stateSize = hyper.stateSize();
        this.users = new FactorTable(RowKind.USER, hyper.width(), stateSize, init);
        this.items = new FactorTable(RowKind.ITEM, hyper.width(), stateSize, init);
        this.mean = mean;
        this.eventsSeen = eventsSeen;
    }

    /**
     * A model with {@code source}'s rows, global mean and events seen, trained from now on under {@code newHyper}
     * (fine-tuning a snapshot with another optimizer, rate or regularization). Rows keep their values, versions and
     * update counts; every row's optimizer state starts fresh, because state of another optimizer or run means
     * nothing to the new one. The shape must match: same model kind and number of factors.
     *
     * @throws IllegalArgumentException when the kind or the number of factors differs
     */
    public static Model withHyper(Model source, Hyperparameters newHyper) {
        Hyperparameters old = source.hyper;
        if (old.kind() != newHyper.kind()) {
            throw new IllegalArgumentException("cannot train a " + old.kind().id() + " model as "
                    + newHyper.kind().id() + ": the model kind must stay the same");
        }
        if (old.factors() != newHyper.factors()) {
            throw new IllegalArgumentException("cannot train a model of " + old.factors() + " factors with "
                    + newHyper.factors() + " factors: the number of factors must stay the same");
        }
        if (old.userScale() != newHyper.userScale()) {
            throw new IllegalArgumentException("cannot train a model " + (old.userScale() ? "with" : "without")
                    + " the user scale " + (newHyper.userScale() ? "with" : "without")
                    + " it: user-scale (--user-scale, model.user.scale) must stay the same");
        }
        Model copy = new Model(newHyper, new GlobalMean(source.mean.sum(), source.mean.count()), source.eventsSeen);
        copyRows(source.users, copy.users);
        copyRows(source.items, copy.items);
        return copy;
    }

    private static void copyRows(FactorTable from, FactorTable to) {
        float[] params = from.params();
        for (int r = 0; r < from.size(); r++) {
            to.put(from.id(r), params, r * from.width(), null, 0, from.version(r), from.updates(r));
        }
    }

    public Hyperparameters hyper() {
        return hyper;
    }

    public FactorTable users() {
        return users;
    }

    public FactorTable items() {
        return items;
    }

    public FactorTable table(RowKind kind) {
        return kind == RowKind.USER ? users : items;
    }

    public GlobalMean mean() {
        return mean;
    }

    /** The global mean, or the middle of the label range before any label was learned. */
    public double globalMean() {
        return mean.value((hyper.minLabel() + hyper.maxLabel()) / 2.0);
    }

    /** The score offset: the global mean (biased) or its logit (logistic). */
    public double offset() {
        return hyper.kind().offset(globalMean());
    }

    /** Events learned so far; drives the learning-rate schedule. */
    public long eventsSeen() {
        return eventsSeen;
    }

    void addEventsSeen(long n) {
        eventsSeen += n;
    }

    /** The raw score for row numbers {@code u} and {@code i}; -1 stands for an unseen row. */
    public double score(int u, int i) {
        return score(offset(), users.params(), u, items.params(), i, hyper.width());
    }

    /** The raw score of two rows held in (possibly different) parameter arrays; -1 stands for an unseen row. */
    public static double score(double offset, float[] userParams, int u, float[] itemParams, int i, int width) {
        double s = offset;
        if (u >= 0) {
            s += userParams[u * width];
        }
        if (i >= 0) {
            s += itemParams[i * width];
        }
        if (u >= 0 && i >= 0) {
            s += dot(userParams, u * width + 1, itemParams, i * width + 1, width - 1);
        }
        return s;
    }

    /** A float dot product, accumulated in the order of a plain loop (readers of model-updates can match it). */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        for (int f = 0; f < n; f++) {
            s += a[ao + f] * b[bo + f];
        }
        return s;
    }

    /**
     * The prediction for a raw score: clamped to the label range (biased) or a probability (logistic); the score
     * itself, unclamped, for the positives-only kinds (it only orders items). As {@code ModelMeta.link}.
     */
    public double predictScore(double score) {
        double p = hyper.kind().link(score);
        return hyper.kind().positivesOnly() ? p : Math.min(Math.max(p, hyper.minLabel()), hyper.maxLabel());
    }

    /** The prediction for a user and an item, by id; unseen ids fall back to biases and the mean. */
    public double predict(String user, String item) {
        return predictScore(score(users.indexOf(user), items.indexOf(item)));
    }
}
