package io.streamrec.learn;

/**
 * The learning loop of a stream trainer's user task: each event steps its user row at once and adds its item
 * gradients to a batch that the caller steps and sends elsewhere. {@link UserFirstLearner} learns the labels
 * (biased-mf, logistic-mf); {@link ImplicitUserFirstLearner} the positives-only models, pairing each positive with
 * sampled negatives; {@link FismUserFirstLearner} fism.
 */
public abstract class UserFirstLearning {
    protected final Model model;
    protected final int width;
    protected final RowUpdater updater;
    /** The pending events' item gradients, summed per item row. */
    protected final GradientAccumulator itemGrads;

    protected int pending;
    protected double pendingLoss;
    protected float batchRate;

    protected UserFirstLearning(Model model) {
        this.model = model;
        this.width = model.hyper().width();
        this.updater = new RowUpdater(model.hyper());
        this.itemGrads = new GradientAccumulator(width);
    }

    /** The learner for the model's kind; {@code negatives} per positive is used by the positives-only kinds only. */
    public static UserFirstLearning of(Model model, int negatives) {
        if (model.hyper().kind() == io.streamrec.model.ModelKind.FISM) {
            return new FismUserFirstLearner(model, negatives, FismLearner.DEFAULT_ALPHA);
        }
        return model.hyper().kind().positivesOnly()
                ? new ImplicitUserFirstLearner(model, negatives)
                : new UserFirstLearner(model);
    }

    /** The learning rate of the event about to be learned; a batch's first event fixes {@link #batchRate}. */
    protected final float eventRate() {
        float lr = (float) model.hyper().schedule().rate(model.eventsSeen());
        if (pending == 0) {
            batchRate = lr;
        }
        return lr;
    }

    /** Counts a learned event: the global mean takes its label, the batch its weighted loss. */
    protected final void eventLearned(float label, float weight, double loss) {
        model.mean().add(label, weight);
        model.addEventsSeen(1);
        pending++;
        pendingLoss += loss;
    }

    public final Model model() {
        return model;
    }

    /**
     * Learns one event of user row {@code u} (-1: a user without a row) and item row {@code i}: steps the user row
     * now and adds the item gradients to the batch.
     *
     * @return the event's weighted loss before the step
     */
    public abstract double learn(int u, int i, float label, float weight, long time);

    /** Events learned since the last {@link #endBatch}: their item gradients wait in {@link #itemGradients()}. */
    public final int pending() {
        return pending;
    }

    /** The summed weighted loss of the pending events. */
    public final double pendingLoss() {
        return pendingLoss;
    }

    /** The learning rate at the batch's first event: the rate of its item step, as a mini-batch would use. */
    public final float batchRate() {
        return batchRate;
    }

    /** The pending events' item gradients, summed per item row; stepping them ({@link RowUpdater#apply}) clears it. */
    public final GradientAccumulator itemGradients() {
        return itemGrads;
    }

    /** Steps the model's own item rows with the pending gradients (offline use, tests) and ends the batch. */
    public final void stepItems() {
        updater.apply(model.items(), itemGrads, batchRate);
        endBatch();
    }

    /** Ends the batch: the caller has sent and stepped the item gradients elsewhere. */
    public final void endBatch() {
        itemGrads.clear();
        pending = 0;
        pendingLoss = 0;
    }

    /** The row updater (the same optimizer, regularization and clipping) for callers that step item rows. */
    public final RowUpdater updater() {
        return updater;
    }
}
