package io.streamrec.learn;

import io.streamrec.data.Rating;
import java.util.List;

/**
 * The global label mean, part of the model: the biased model's offset, or (through its logit) the logistic
 * model's. It is a running mean over every label the model has learned, weighted by event weight, so that a
 * streaming model follows drift in the overall rating level without a learning rate of its own. Pretraining
 * starts it at the training-set mean; fine-tuning carries on from the snapshot's sum and count.
 */
public final class GlobalMean {
    private double sum;
    private double count;
    private double externalSum;
    private double externalCount;

    public GlobalMean(double sum, double count) {
        this.sum = sum;
        this.count = count;
    }

    /** The weighted mean of a training set: where pretraining starts (and, for SGD, holds) the model's offset. */
    public static GlobalMean of(List<Rating> train) {
        double sum = 0;
        double count = 0;
        for (Rating r : train) {
            sum += r.label() * r.weight();
            count += r.weight();
        }
        return new GlobalMean(sum, count);
    }

    /** The mean, or {@code fallback} before any label was seen. Includes the external sums, if any. */
    public double value(double fallback) {
        double c = count + externalCount;
        return c > 0 ? (sum + externalSum) / c : fallback;
    }

    /**
     * Sets label sums learned elsewhere (other partitions of a distributed model) that count towards the value but
     * are not this instance's own: {@link #sum()} and {@link #count()} stay local.
     */
    public void setExternal(double otherSum, double otherCount) {
        externalSum = otherSum;
        externalCount = otherCount;
    }

    public void add(double label, double weight) {
        sum += label * weight;
        count += weight;
    }

    /** Replaces the sum and the count (pretraining holds the mean at the training-set mean). */
    public void set(double newSum, double newCount) {
        sum = newSum;
        count = newCount;
    }

    public double sum() {
        return sum;
    }

    public double count() {
        return count;
    }
}
