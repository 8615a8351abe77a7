package io.streamrec.stream;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Cumulative prequential error over every event this instance trained, events trained, and the sampled ranking's
 * hits (for summaries and tests).
 */
public final class PrequentialTotals implements TrainerListener {
    private final LongAdder events = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder trained = new LongAdder();
    private final LongAdder ranked = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final DoubleAdder sumSq = new DoubleAdder();
    private final DoubleAdder sumAbs = new DoubleAdder();

    @Override
    public void prequential(double label, double prediction) {
        double e = prediction - label;
        sumSq.add(e * e);
        sumAbs.add(Math.abs(e));
        events.increment();
    }

    @Override
    public void eventRejected(String reason) {
        rejected.increment();
    }

    @Override
    public void eventTrained() {
        trained.increment();
    }

    @Override
    public void ranked(int cutoff, boolean hit) {
        ranked.increment();
        if (hit) {
            hits.increment();
        }
    }

    /** Events that joined a mini-batch (the positives-only models predict no labels, so {@link #events} stays 0). */
    public long trained() {
        return trained.sum();
    }

    /** Events ranked by the user tasks' sampled ranking. */
    public long ranked() {
        return ranked.sum();
    }

    /** Sampled recall: hits over ranked events; NaN before the first. */
    public double recall() {
        long n = ranked.sum();
        return n == 0 ? Double.NaN : (double) hits.sum() / n;
    }

    public long events() {
        return events.sum();
    }

    public long rejected() {
        return rejected.sum();
    }

    public double rmse() {
        long n = events.sum();
        return n == 0 ? Double.NaN : Math.sqrt(sumSq.sum() / n);
    }

    public double mae() {
        long n = events.sum();
        return n == 0 ? Double.NaN : sumAbs.sum() / n;
    }
}
