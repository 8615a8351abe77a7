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
        // Index once; epochs then run on primitive arrays.
        int n = train.size();
        int[] us = new int[n];
        int[] is = new int[n];
        float[] ys = new float[n];
        float[] ws = new float[n];
        for (int e = 0; e < n; e++) {
            Rating r = train.get(e);
            us[e] = model.users().getOrCreate(r.user());
            is[e] = model.items().getOrCreate(r.item());
            ys[e] = r.label();
            ws[e] = r.weight();
        }
        GlobalMean frozen = new GlobalMean(model.mean().sum(), model.mean().count());
        MiniBatchLearner learner = new MiniBatchLearner(model, batchSize);
        int[] order = new int[n];
        for (int e = 0; e < n; e++) {
            order[e] = e;
        }
        SplittableRandom rnd = new SplittableRandom(shuffleSeed);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            for (int e = n - 1; e > 0; e--) {
                int j = rnd.nextInt(e + 1);
                int t = order[e];
                order[e] = order[j];
                order[j] = t;
            }
            for (int e : order) {
                learner.learn(us[e], is[e], ys[e], ws[e], 0L);
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
