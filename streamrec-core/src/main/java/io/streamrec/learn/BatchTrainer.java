package io.streamrec.learn;

import io.streamrec.data.Rating;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Offline training for {@code pretrain}: several epochs of mini-batch SGD over the training set, shuffled anew
 * (from a seed) every epoch. The global mean is fixed to the training-set mean before the first epoch, so the
 * epochs learn biases and factors around it.
 */
public final class BatchTrainer {
    private final Hyperparameters hyper;
    private final int epochs;
    private final int batchSize;
    private final long shuffleSeed;

    public BatchTrainer(Hyperparameters hyper, int epochs, int batchSize, long shuffleSeed) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.hyper = hyper;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.shuffleSeed = shuffleSeed;
    }

    /**
     * Trains a new model on {@code train}.
     *
     * @param afterEpoch told the number of each finished epoch (for progress or per-epoch evaluation); may be null
     */
    public Model train(List<Rating> train, IntConsumer afterEpoch) {
        Model model = new Model(hyper, GlobalMean.of(train), 0);
        IndexedRatings events = new IndexedRatings(model, train);
        GlobalMean frozen = new GlobalMean(model.mean().sum(), model.mean().count());
        MiniBatchLearner learner = new MiniBatchLearner(model, batchSize);
        SplittableRandom rnd = new SplittableRandom(shuffleSeed);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            for (int e : events.shuffled(rnd)) {
                learner.learn(events.users[e], events.items[e], events.labels[e], events.weights[e], 0L);
            }
            learner.flush();
            // The learner keeps a running mean; pretraining wants the training mean, so put it back.
            model.mean().set(frozen.sum(), frozen.count());
            if (afterEpoch != null) {
                afterEpoch.accept(epoch);
            }
        }
        return model;
    }

    /** Predicts every rating of {@code test} with {@code model}. */
    public static List<double[]> predictions(Model model, List<Rating> test) {
        List<double[]> out = new ArrayList<>(test.size());
        for (Rating r : test) {
            out.add(new double[] {r.label(), model.predict(r.user(), r.item())});
        }
        return out;
    }
}
