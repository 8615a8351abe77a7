package io.streamrec.stream;

import io.streamrec.learn.GlobalMean;
import io.streamrec.model.ModelKeys;

/**
 * Merges into a user task's global mean the label sums that the other user tasks published (one mean record per
 * partition in {@code model-updates}) and the pretrained snapshot's seed, so that every task predicts with the mean
 * of all the labels seen, not only its own partition's.
 *
 * <p>State: none of its own; the task's {@link GlobalMean} keeps its own sums and the external ones set here, and
 * {@link PublishedRows} holds what the global thread read.
 */
final class GlobalMeanMerge {
    private final PublishedRows published;
    private final GlobalMean mean;
    private final int partitions;
    private final int partition;

    GlobalMeanMerge(PublishedRows published, GlobalMean mean, int partitions, int partition) {
        this.published = published;
        this.mean = mean;
        this.partitions = partitions;
        this.partition = partition;
    }

    void refresh() {
        double sum = 0;
        double count = 0;
        for (int p = 0; p < partitions; p++) {
            if (p == partition) {
                continue;
            }
            double[] m = published.mean(ModelKeys.mean(p));
            if (m != null) {
                sum += m[0];
                count += m[1];
            }
        }
        double[] seed = published.mean(ModelKeys.MEAN_SNAPSHOT_KEY);
        if (seed != null) {
            sum += seed[0];
            count += seed[1];
        }
        mean.setExternal(sum, count);
    }
}
