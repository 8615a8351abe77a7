package io.streamrec.learn;

/**
 * What the stream processors need of a learner: events join a batch, a flush computes the batch's gradients (the
 * item part goes to the item tasks) and steps the user rows. {@link MiniBatchLearner} trains the rating and click
 * models, {@link ImplicitLearner} the positives-only ones; {@link #of} picks by the model's kind.
 */
public interface BatchLearner {
    Model model();

    /** Events waiting in the current batch. */
    int pending();

    /** Adds an event by row numbers; flushes (and returns what the flush did) when the batch is full. */
    MiniBatchLearner.FlushResult learn(int u, int i, float label, float weight, long time);

    /** Applies the pending batch to both tables. */
    MiniBatchLearner.FlushResult flush();

    /**
     * Computes the pending batch's gradients into the accumulators, reading item rows from {@code itemParams} (laid
     * out like the model's item table), and clears the batch.
     *
     * @return the summed weighted loss of the batch
     */
    double computeGradients(float[] itemParams, GradientAccumulator forUsers, GradientAccumulator forItems);

    /** Steps the user rows accumulated by {@link #computeGradients}. */
    void applyUsers(GradientAccumulator forUsers, float learningRate);

    /** Row updater for callers that step rows themselves (the item processor). */
    RowUpdater updater();

    /**
     * The learner for {@code model}'s kind.
     *
     * @param negatives negatives per positive for the positives-only kinds; ignored by the others
     */
    static BatchLearner of(Model model, int batchSize, int negatives) {
        return model.hyper().kind().positivesOnly()
                ? new ImplicitLearner(model, batchSize, negatives)
                : new MiniBatchLearner(model, batchSize);
    }
}
