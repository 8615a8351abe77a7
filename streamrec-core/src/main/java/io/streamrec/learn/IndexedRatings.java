package io.streamrec.learn;

import io.streamrec.data.Rating;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training events as a model's row numbers in primitive arrays, indexed once (creating the rows), and the order in
 * which an epoch visits them: the epoch trainers run on these instead of looking ids up again every epoch.
 */
final class IndexedRatings {
    final int[] users;
    final int[] items;
    final float[] labels;
    final float[] weights;
    private final int[] order;

    IndexedRatings(Model model, List<Rating> ratings) {
        int n = ratings.size();
        users = new int[n];
        items = new int[n];
        labels = new float[n];
        weights = new float[n];
        order = new int[n];
        for (int e = 0; e < n; e++) {
            Rating r = ratings.get(e);
            users[e] = model.users().getOrCreate(r.user());
            items[e] = model.items().getOrCreate(r.item());
            labels[e] = r.label();
            weights[e] = r.weight();
            order[e] = e;
        }
    }

    /**
     * The next epoch's order: the previous one shuffled in place by Fisher-Yates from {@code rnd} (the array is
     * reused, so read it before the next call).
     */
    int[] shuffled(SplittableRandom rnd) {
        for (int e = order.length - 1; e > 0; e--) {
            int j = rnd.nextInt(e + 1);
            int t = order[e];
            order[e] = order[j];
            order[j] = t;
        }
        return order;
    }
}
