package io.streamrec.stream;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** Cumulative prequential error over every event this instance trained (for summaries and tests). */
public final class PrequentialTotals implements TrainerListener {
    private final LongAdder events = new LongAdder();
    private final LongAdder rejected = new LongAdder();
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
