package io.streamrec.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Train/test splits of a ratings list, so offline numbers are measured on events the model never trained on.
 *
 * <p>{@link #random} is the classic shuffled split; {@link #byTime} holds out the latest events, which is the honest
 * split for an online recommender (and the demo's story: pretrain on the past, fine-tune on the stream).
 * Both keep the input order inside each part and put each input element in exactly one part.
 */
public final class Holdout {

    private Holdout() {}

    /**
     * The two parts of a split.
     *
     * @param train the events to learn from
     * @param test  the events held out
     */
    public record Split(List<Rating> train, List<Rating> test) {
        public Split {
            train = List.copyOf(train);
            test = List.copyOf(test);
        }
    }

    /**
     * Puts {@code round(trainFraction * n)} randomly chosen events in train and the rest in test, the same way for
     * the same seed and input. Each part keeps the input order.
     *
     * @throws IllegalArgumentException when {@code trainFraction} is not in [0, 1]
     */
    public static Split random(List<Rating> ratings, double trainFraction, long seed) {
        int n = ratings.size();
        int trainSize = trainSize(n, trainFraction);
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = k;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        // Partial Fisher-Yates: the first trainSize slots end up a uniform random subset.
        for (int k = 0; k < trainSize; k++) {
            int j = k + rnd.nextInt(n - k);
            int tmp = order[k];
            order[k] = order[j];
            order[j] = tmp;
        }
        boolean[] inTrain = new boolean[n];
        for (int k = 0; k < trainSize; k++) {
            inTrain[order[k]] = true;
        }
        List<Rating> train = new ArrayList<>(trainSize);
        List<Rating> test = new ArrayList<>(n - trainSize);
        for (int k = 0; k < n; k++) {
            (inTrain[k] ? train : test).add(ratings.get(k));
        }
        return new Split(train, test);
    }

    /**
     * Puts the earliest {@code round(trainFraction * n)} events (by timestamp, ties in input order) in train and
     * the rest in test; both parts come out sorted by time, and no test event is earlier than a train event.
     *
     * @throws IllegalArgumentException when {@code trainFraction} is not in [0, 1]
     */
    public static Split byTime(List<Rating> ratings, double trainFraction) {
        int trainSize = trainSize(ratings.size(), trainFraction);
        List<Rating> sorted = RatingReader.sortByTime(ratings);
        return new Split(sorted.subList(0, trainSize), sorted.subList(trainSize, sorted.size()));
    }

    private static int trainSize(int n, double trainFraction) {
        if (!(trainFraction >= 0 && trainFraction <= 1)) {
            throw new IllegalArgumentException("train fraction must be in [0, 1], got " + trainFraction);
        }
        return (int) Math.round(trainFraction * n);
    }
}
