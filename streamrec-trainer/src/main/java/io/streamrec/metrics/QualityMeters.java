package io.streamrec.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamrec.stream.TrainerListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * Is it learning: prequential (predict, then learn) error, training loss and learning rate.
 *
 * <p>Error is exported as counters (events scored, sums of squared and absolute error, and for a logistic model the
 * sum of log losses), so Prometheus computes the error of any set of instances over any window, e.g. RMSE as
 * {@code sqrt(sum(rate(squared_error)) / sum(rate(events)))}. A gauge of each instance's windowed RMSE cannot be
 * combined: the average of RMSEs is not the RMSE of the union. AUC has no such sums and stays a per-instance gauge
 * over the last {@code window} events ({@link PrequentialWindow}), as do the live page's figures.
 *
 * <p>The training loss is a counter too (per-event loss summed over user flushes; divide by the user batch-size
 * sum). The learning rate is a gauge per role: a current value is what it is.
 */
final class QualityMeters implements TrainerListener, MeterBinder {
    /** Training loss for the live page: batch-size weighted mean over this many most recent flushes. */
    static final int LOSS_FLUSHES = 16;
    /** Predictions are clipped to [EPS, 1 - EPS] so one confident miss adds a large but finite log loss. */
    private static final double LOGLOSS_EPS = PrequentialWindow.LOGLOSS_EPS;

    private static final long SNAPSHOT_REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Scored events a stream thread keeps to itself before it adds them to the window and the counters at once. Every
     * user task reports each event, and the window's lock and the counters' cells are shared by all stream threads:
     * taken per event by two threads, they cost about 0.6 us a call instead of 30 ns alone, cache lines moving
     * between the cores. A thread's events reach them at each user flush, or sooner when this many wait.
     */
    static final int BATCH = 64;

    private final Clock clock;
    private final boolean binary;
    private final PrequentialWindow window;
    private final LongAdder scored = new LongAdder();
    private final DoubleAdder squaredError = new DoubleAdder();
    private final DoubleAdder absoluteError = new DoubleAdder();
    private final DoubleAdder logLoss = new DoubleAdder();
    private final DoubleAdder trainingLoss = new DoubleAdder();
    private final Map<String, Double> learningRate = new ConcurrentHashMap<>();
    private final double[] recentLoss = new double[LOSS_FLUSHES];
    private final int[] recentBatch = new int[LOSS_FLUSHES];
    private int lossNext;
    private volatile double lastLearningRate = Double.NaN;
    private volatile CachedSnapshot cached;
    private final ThreadLocal<Batch> batches = ThreadLocal.withInitial(Batch::new);

    /** One thread's scored events not yet in the window and the counters. */
    private static final class Batch {
        final double[] labels = new double[BATCH];
        final double[] predictions = new double[BATCH];
        int size;
    }

    /** {@code binary}: the model predicts probabilities of 0/1 labels (logistic), so log loss is counted. */
    QualityMeters(int window, Clock clock, boolean binary) {
        this.window = new PrequentialWindow(window);
        this.clock = clock;
        this.binary = binary;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "streamrec.prequential.events", "Events scored before learning them", "events", scored);
        counter(
                registry,
                "streamrec.prequential.squared.error",
                "Sum of squared prequential errors (prediction minus label); RMSE = sqrt(rate / rate of events)",
                null,
                squaredError);
        counter(
                registry,
                "streamrec.prequential.absolute.error",
                "Sum of absolute prequential errors; MAE = rate / rate of prequential events",
                null,
                absoluteError);
        if (binary) {
            counter(
                    registry,
                    "streamrec.prequential.logloss",
                    "Sum of prequential log losses (0/1 labels); mean log loss = rate / rate of prequential events",
                    null,
                    logLoss);
        }
        counter(
                registry,
                "streamrec.training.loss",
                "Sum of per-event training loss over user flushes; mean = rate / rate of user batch-size sum",
                null,
                trainingLoss);
        gauge(
                registry,
                "streamrec.prequential.auc",
                "Prequential ROC AUC of this instance over its last events (0/1 labels only, else NaN)",
                q -> q.prequential().auc());
        for (String role : TrainerMetrics.KINDS) {
            Gauge.builder("streamrec.learning.rate", this, q -> q.learningRate.getOrDefault(role, Double.NaN))
                    .description("Learning rate of the latest flush, by role")
                    .tag("role", role)
                    .strongReference(true)
                    .register(registry);
        }
    }

    @Override
    public void prequential(double label, double prediction) {
        if (!Double.isFinite(label) || !Double.isFinite(prediction)) {
            return;
        }
        Batch b = batches.get();
        b.labels[b.size] = label;
        b.predictions[b.size] = prediction;
        if (++b.size == BATCH) {
            drain(b);
        }
    }

    /** Adds the calling thread's waiting events (a reader's own, so that what it reported is in what it reads). */
    private void drainOwn() {
        drain(batches.get());
    }

    private void drain(Batch b) {
        if (b.size == 0) {
            return;
        }
        window.addAll(b.labels, b.predictions, b.size);
        double squared = 0;
        double absolute = 0;
        double log = 0;
        for (int k = 0; k < b.size; k++) {
            double e = b.predictions[k] - b.labels[k];
            squared += e * e;
            absolute += Math.abs(e);
            if (binary) {
                double p = Math.min(1 - LOGLOSS_EPS, Math.max(LOGLOSS_EPS, b.predictions[k]));
                log += b.labels[k] >= 0.5 ? -Math.log(p) : -Math.log(1 - p);
            }
        }
        squaredError.add(squared);
        absoluteError.add(absolute);
        if (binary) {
            logLoss.add(log);
        }
        scored.add(b.size);
        b.size = 0;
    }

    @Override
    public void flushed(String role, int batchSize, long durationNanos, double meanLoss, double rate) {
        drainOwn(); // the flushing task's thread: its scored events are at most one interval late
        if (Double.isFinite(meanLoss) && batchSize > 0) {
            trainingLoss.add(meanLoss * batchSize);
            synchronized (recentLoss) {
                recentLoss[lossNext] = meanLoss;
                recentBatch[lossNext] = batchSize;
                lossNext = (lossNext + 1) % LOSS_FLUSHES;
            }
        }
        learningRate.put(TrainerMetrics.bounded(role), rate);
        lastLearningRate = rate;
    }

    /** Batch-size weighted mean training loss over the last {@value #LOSS_FLUSHES} flushes; NaN before the first. */
    double recentTrainingLoss() {
        synchronized (recentLoss) {
            double weighted = 0;
            long events = 0;
            for (int i = 0; i < LOSS_FLUSHES; i++) {
                weighted += recentLoss[i] * recentBatch[i];
                events += recentBatch[i];
            }
            return events == 0 ? Double.NaN : weighted / events;
        }
    }

    double learningRate() {
        return lastLearningRate;
    }

    /** Prequential figures over the window, reused for up to one second (a scrape reads them once). */
    PrequentialWindow.Snapshot prequential() {
        drainOwn();
        long now = clock.monotonicTime();
        CachedSnapshot c = cached;
        if (c == null || now - c.takenAt >= SNAPSHOT_REUSE_NANOS) {
            c = new CachedSnapshot(now, window.snapshot());
            cached = c;
        }
        return c.snapshot;
    }

    PrequentialWindow.Snapshot prequentialNow() {
        drainOwn();
        PrequentialWindow.Snapshot s = window.snapshot();
        cached = new CachedSnapshot(clock.monotonicTime(), s);
        return s;
    }

    private void counter(MeterRegistry registry, String name, String help, String unit, LongAdder source) {
        FunctionCounter.builder(name, this, q -> {
                    q.drainOwn();
                    return source.sum();
                })
                .description(help)
                .baseUnit(unit)
                .register(registry);
    }

    private void counter(MeterRegistry registry, String name, String help, String unit, DoubleAdder source) {
        FunctionCounter.builder(name, this, q -> {
                    q.drainOwn();
                    return source.sum();
                })
                .description(help)
                .baseUnit(unit)
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String help, ToDoubleFunction<QualityMeters> f) {
        Gauge.builder(name, this, f).description(help).strongReference(true).register(registry);
    }

    private record CachedSnapshot(long takenAt, PrequentialWindow.Snapshot snapshot) {}
}
