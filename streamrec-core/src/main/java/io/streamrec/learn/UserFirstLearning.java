package io.streamrec.learn;

/**
 * The learning loop of a stream trainer's user task: each event steps its user row at once and adds its item
 * gradients to a batch that the caller steps and sends elsewhere. {@link UserFirstLearner} learns the labels
 * (biased-mf, logistic-mf); {@link ImplicitUserFirstLearner} the positives-only models, pairing each positive with
 * sampled negatives.
 */
public interface UserFirstLearning {
    /** The learner for the model's kind; {@code negatives} per positive is used by the positives-only kinds only. */
    static UserFirstLearning of(Model model, int negatives) {
        return model.hyper().kind().positivesOnly()
                ? new ImplicitUserFirstLearner(model, negatives)
                : new UserFirstLearner(model);
    }

    Model model();

    /**
     * Learns one event of user row {@code u} (-1: a user without a row) and item row {@code i}: steps the user row
     * now and adds the item gradients to the batch.
     *
     * @return the event's weighted loss before the step
     */
    double learn(int u, int i, float label, float weight, long time);

    /** Events learned since the last {@link #endBatch}: their item gradients wait in {@link #itemGradients()}. */
    int pending();

    /** The summed weighted loss of the pending events. */
    double pendingLoss();

    /** The learning rate at the batch's first event: the rate of its item step, as a mini-batch would use. */
    float batchRate();

    /** The pending events' item gradients, summed per item row; stepping them ({@link RowUpdater#apply}) clears it. */
    GradientAccumulator itemGradients();

    /** Ends the batch: the caller has sent and stepped the item gradients elsewhere. */
    void endBatch();

    /** The row updater (the same optimizer, regularization and clipping) for callers that step item rows. */
    RowUpdater updater();
}
