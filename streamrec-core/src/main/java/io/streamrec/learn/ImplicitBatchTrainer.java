package io.streamrec.learn;

import io.streamrec.data.Rating;
import io.streamrec.model.ModelKind;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Offline training of the positives-only models for {@code pretrain}: epochs over the shuffled positives with an
 * {@link ImplicitLearner} (negatives drawn among all the training items, which are indexed before the first epoch).
 * Popularity needs one epoch: more would count every event again.
 */
public final class ImplicitBatchTrainer {
    private final Hyperparameters hyper;
    private final int epochs;
    private final int batchSize;
    private final int negatives;
    private final long shuffleSeed;

    public ImplicitBatchTrainer(Hyperparameters hyper, int epochs, int batchSize, int negatives, long shuffleSeed) {
        if (!hyper.kind().positivesOnly()) {
            throw new IllegalArgumentException(hyper.kind().id() + " is not a positives-only model");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        this.hyper = hyper;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.negatives = negatives;
        this.shuffleSeed = shuffleSeed;
    }

    /** Trains a new model on {@code positives}; {@code afterEpoch} (may be null) hears each finished epoch. */
    public Model train(List<Rating> positives, IntConsumer afterEpoch) {
        Model model = new Model(hyper);
        IndexedRatings events = new IndexedRatings(model, positives);
        ImplicitLearner learner = new ImplicitLearner(model, batchSize, negatives);
        SplittableRandom rnd = new SplittableRandom(shuffleSeed);
        int rounds = hyper.kind() == ModelKind.POPULARITY ? 1 : epochs;
        for (int epoch = 1; epoch <= rounds; epoch++) {
            for (int e : events.shuffled(rnd)) {
                learner.learn(events.users[e], events.items[e], 1f, events.weights[e], 0L);
            }
            learner.flush();
            if (afterEpoch != null) {
                afterEpoch.accept(epoch);
            }
        }
        return model;
    }
}
