package io.streamrec.learn;

import io.streamrec.data.Rating;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The training events of {@link BlockSgdTrainer} grouped by block of the rating matrix, contiguous per block, as
 * row numbers of the model's tables.
 */
final class RatingBlocks {
    final int bins;
    final int[] start;
    final int[] users;
    final int[] items;
    final float[] labels;
    final float[] weights;
    /** The sums of label x weight and of weight over the events, in the events' order: the global mean's. */
    final double labelSum;

    final double weightSum;

    private RatingBlocks(int bins, int n, double labelSum, double weightSum) {
        this.bins = bins;
        this.labelSum = labelSum;
        this.weightSum = weightSum;
        this.start = new int[bins * bins + 1];
        this.users = new int[n];
        this.items = new int[n];
        this.labels = new float[n];
        this.weights = new float[n];
    }

    /**
     * Creates the model's rows in a seeded random order and groups them into {@code bins} equal ranges of row
     * numbers: a random split, so popular rows spread over the groups, and a contiguous one, so threads
     * working on different groups do not write to the same cache lines. Each block's events are then shuffled once.
     * {@code parallel}: the item rows are created on a second thread while the user rows are, and the second half of
     * the blocks is shuffled on it (the result is the same either way: each block has its own random stream).
     */
    static RatingBlocks of(Model model, List<Rating> train, int bins, long seed, boolean parallel) {
        int n = train.size();
        SplittableRandom rnd = new SplittableRandom(seed);
        SplittableRandom itemRnd = rnd.split();
        float[] labels = new float[n];
        float[] weights = new float[n];
        int[][] rowsOf = new int[2][];
        // The item pass also copies the labels and weights, so that the later passes (the global mean, the grouping)
        // read two arrays instead of the Rating objects: this code runs once per training, mostly before the JIT has
        // optimized it, where every extra field access through an object costs.
        inParallel(
                parallel,
                "fpsg-item-rows",
                () -> rowsOf[0] = rows(model.users(), train, true, rnd, null, null),
                () -> rowsOf[1] = rows(model.items(), train, false, itemRnd, labels, weights));
        int[] us = rowsOf[0];
        int[] is = rowsOf[1];
        int[] userGroup = groups(model.users().size(), bins);
        int[] itemGroup = groups(model.items().size(), bins);
        double labelSum = 0;
        double weightSum = 0;
        for (int e = 0; e < n; e++) {
            labelSum += labels[e] * weights[e];
            weightSum += weights[e];
        }
        RatingBlocks b = new RatingBlocks(bins, n, labelSum, weightSum);
        int[] fill = new int[bins * bins + 1];
        for (int e = 0; e < n; e++) {
            fill[userGroup[us[e]] * bins + itemGroup[is[e]] + 1]++;
        }
        for (int k = 0; k < bins * bins; k++) {
            fill[k + 1] += fill[k];
        }
        System.arraycopy(fill, 0, b.start, 0, fill.length);
        for (int e = 0; e < n; e++) {
            int at = fill[userGroup[us[e]] * bins + itemGroup[is[e]]]++;
            b.users[at] = us[e];
            b.items[at] = is[e];
            b.labels[at] = labels[e];
            b.weights[at] = weights[e];
        }
        SplittableRandom[] streams = new SplittableRandom[bins * bins];
        for (int k = 0; k < streams.length; k++) {
            streams[k] = rnd.split();
        }
        int middle = 0;
        while (middle < streams.length && b.start[middle] < n / 2) {
            middle++;
        }
        int half = middle;
        inParallel(
                parallel,
                "fpsg-shuffle",
                () -> b.shuffle(0, half, streams),
                () -> b.shuffle(half, streams.length, streams));
        return b;
    }

    /** Runs {@code first} here and {@code second} on a new thread when {@code parallel}, else after it. */
    static void inParallel(boolean parallel, String name, Runnable first, Runnable second) {
        if (!parallel) {
            first.run();
            second.run();
            return;
        }
        FutureTask<Void> task = new FutureTask<>(second, null);
        new Thread(task, name).start();
        first.run();
        try {
            task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** The group of each row number: {@code bins} equal ranges, looked up twice per event instead of divided. */
    private static int[] groups(int rows, int bins) {
        int[] group = new int[rows];
        for (int r = 0; r < rows; r++) {
            group[r] = (int) ((long) r * bins / rows);
        }
        return group;
    }

    /**
     * Row numbers of each event's user (or item), creating the rows in a random order of the distinct ids; copies
     * each event's label and weight into {@code labels} and {@code weights} unless they are null.
     */
    private static int[] rows(
            FactorTable table,
            List<Rating> train,
            boolean user,
            SplittableRandom rnd,
            float[] labels,
            float[] weights) {
        Map<String, Integer> first = new HashMap<>();
        List<String> ids = new ArrayList<>();
        int[] temp = new int[train.size()];
        for (int e = 0; e < temp.length; e++) {
            Rating r = train.get(e);
            String id = user ? r.user() : r.item();
            Integer t = first.get(id);
            if (t == null) {
                t = ids.size();
                first.put(id, t);
                ids.add(id);
            }
            temp[e] = t;
            if (labels != null) {
                labels[e] = r.label();
                weights[e] = r.weight();
            }
        }
        int[] perm = new int[ids.size()];
        for (int r = 0; r < perm.length; r++) {
            perm[r] = r;
        }
        for (int r = perm.length - 1; r > 0; r--) {
            int j = rnd.nextInt(r + 1);
            int t = perm[r];
            perm[r] = perm[j];
            perm[j] = t;
        }
        int[] rowOf = new int[perm.length];
        for (int r = 0; r < perm.length; r++) {
            rowOf[perm[r]] = table.getOrCreate(ids.get(perm[r]));
        }
        for (int e = 0; e < temp.length; e++) {
            temp[e] = rowOf[temp[e]];
        }
        return temp;
    }

    /** Shuffles blocks {@code from} (inclusive) to {@code to}, each with its own random stream. */
    private void shuffle(int from, int to, SplittableRandom[] streams) {
        for (int k = from; k < to; k++) {
            shuffle(k, streams[k]);
        }
    }

    /** Fisher-Yates over the block's events, all four arrays together. */
    private void shuffle(int block, SplittableRandom rnd) {
        int from = start[block];
        for (int e = start[block + 1] - 1; e > from; e--) {
            int j = from + rnd.nextInt(e - from + 1);
            int u = users[e];
            users[e] = users[j];
            users[j] = u;
            int i = items[e];
            items[e] = items[j];
            items[j] = i;
            float y = labels[e];
            labels[e] = labels[j];
            labels[j] = y;
            float w = weights[e];
            weights[e] = weights[j];
            weights[j] = w;
        }
    }
}
