package io.streamrec.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamrec.stream.TrainerListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns {@link TrainerListener} callbacks into the {@code streamrec.*} meters of docs/contracts.md.
 *
 * <p>The listener side keeps its own plain counters (so {@link #snapshot()} works before and without
 * {@link #bindTo}); the meters read them or are fed alongside. Every tag is bounded: outcomes, DLQ reasons
 * (unknown reasons count as {@code other}), roles and kinds ({@code user}, {@code item}, anything else
 * counts as {@code other}).
 *
 * <p>Prequential RMSE and MAE, log loss and AUC are computed over a ring buffer of the last
 * {@code window} scored events (see {@link PrequentialWindow}); a reading is reused for one second so a
 * scrape that reads four gauges sorts the window once.
 *
 * <p>Publish latency is {@code now - oldestIngestTime}: from the Kafka timestamp of the oldest input record
 * whose event the published rows include (its produce time) to the moment the rows were written. It does not
 * use the events' own timestamps, so it stays meaningful when a historical file (ML-100K, 1997-98) is replayed.
 * Calls without an ingest time ({@code oldestIngestTime <= 0}) are not recorded.
 *
 * <p>Model version is the sum over this instance's open tasks of the optimizer steps each task applied to its
 * rows ({@link #modelVersion(String, int, long)}), like {@code streamrec.model.rows}: summed over instances, it is
 * the streamed part of the model version of docs/contracts.md.
 */
public final class TrainerMetrics implements TrainerListener, MeterBinder {
    /** Default prequential window, in events. */
    public static final int DEFAULT_WINDOW = 10_000;
    /** The DLQ reason codes of docs/contracts.md; pre-registered so their rates exist before the first reject. */
    public static final List<String> DLQ_REASONS = List.of(
            "not-json",
            "missing-user",
            "missing-item",
            "id-too-long",
            "bad-label",
            "label-out-of-range",
            "wrong-type",
            "bad-weight");

    static final String OTHER = "other";
    static final List<String> KINDS = List.of("user", "item");
    /** Training loss gauge: batch-size weighted mean over this many most recent flushes. */
    static final int LOSS_FLUSHES = 16;

    private static final long SNAPSHOT_REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Clock clock;
    private final PrequentialWindow window;
    private final RankingCounters ranking = new RankingCounters();
    private final LongAdder trained = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final Map<String, LongAdder> rejectedByReason = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> published = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, Long>> rowsByKindAndPartition = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, Long>> stepsByKindAndPartition = new ConcurrentHashMap<>();
    private final double[] recentLoss = new double[LOSS_FLUSHES];
    private final int[] recentBatch = new int[LOSS_FLUSHES];
    private int lossNext;
    private volatile double lastLearningRate = Double.NaN;
    private volatile CachedSnapshot cached;

    private volatile Meters meters;

    /** Metrics with the default window and the system clock. */
    public TrainerMetrics() {
        this(DEFAULT_WINDOW, Clock.SYSTEM);
    }

    /**
     * @param window prequential window in events, at least 1
     * @param clock  wall time for publish latency, monotonic time for snapshot reuse
     */
    public TrainerMetrics(int window, Clock clock) {
        this.window = new PrequentialWindow(window);
        this.clock = clock;
        for (String reason : DLQ_REASONS) {
            rejectedByReason.put(reason, new LongAdder());
        }
        rejectedByReason.put(OTHER, new LongAdder());
        for (String kind : KINDS) {
            published.put(kind, new LongAdder());
            rowsByKindAndPartition.put(kind, new ConcurrentHashMap<>());
            stepsByKindAndPartition.put(kind, new ConcurrentHashMap<>());
        }
        published.put(OTHER, new LongAdder());
        rowsByKindAndPartition.put(OTHER, new ConcurrentHashMap<>());
        stepsByKindAndPartition.put(OTHER, new ConcurrentHashMap<>());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (meters != null) {
            throw new IllegalStateException("TrainerMetrics is already bound to a registry");
        }
        meters = new Meters(registry);
        ranking.bindTo(registry);
    }

    // --- TrainerListener ---------------------------------------------------------------------------

    @Override
    public void eventTrained() {
        trained.increment();
        Meters m = meters;
        if (m != null) {
            m.trained.increment();
        }
    }

    @Override
    public void eventRejected(String reason) {
        String r = rejectedByReason.containsKey(reason) ? reason : OTHER;
        rejected.increment();
        rejectedByReason.get(r).increment();
        Meters m = meters;
        if (m != null) {
            m.rejected.increment();
            m.rejectedByReason.get(r).increment();
        }
    }

    @Override
    public void prequential(double label, double prediction) {
        window.add(label, prediction);
    }

    @Override
    public void ranked(int cutoff, boolean hit) {
        ranking.ranked(cutoff, hit);
    }

    /** The sampled ranking counters of the user tasks. */
    public RankingCounters ranking() {
        return ranking;
    }

    @Override
    public void flushed(String role, int batchSize, long durationNanos, double meanLoss, double learningRate) {
        String r = bounded(role);
        if (Double.isFinite(meanLoss) && batchSize > 0) {
            synchronized (recentLoss) {
                recentLoss[lossNext] = meanLoss;
                recentBatch[lossNext] = batchSize;
                lossNext = (lossNext + 1) % LOSS_FLUSHES;
            }
        }
        lastLearningRate = learningRate;
        Meters m = meters;
        if (m != null) {
            m.batchSize(r).record(batchSize);
            m.flush(r).record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void rowsPublished(String kind, int count, long oldestIngestTime) {
        String k = bounded(kind);
        published.get(k).add(count);
        Meters m = meters;
        if (m != null) {
            m.published(k).increment(count);
            if (oldestIngestTime > 0 && count > 0) {
                long latency = Math.max(0, clock.wallTime() - oldestIngestTime);
                m.publishLatency.record(latency, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public void modelRows(String kind, int partition, long rows) {
        rowsByKindAndPartition.get(bounded(kind)).put(partition, rows);
    }

    @Override
    public void taskClosed(String kind, int partition) {
        rowsByKindAndPartition.get(bounded(kind)).remove(partition);
        stepsByKindAndPartition.get(bounded(kind)).remove(partition);
    }

    @Override
    public void modelVersion(String kind, int partition, long rowSteps) {
        stepsByKindAndPartition.get(bounded(kind)).put(partition, rowSteps);
    }

    // --- readings ------------------------------------------------------------------------------------

    /** Events that passed validation and were trained on. */
    public long eventsTrained() {
        return trained.sum();
    }

    /** Events sent to the dead-letter topic. */
    public long eventsRejected() {
        return rejected.sum();
    }

    /** Rows of {@code kind} held by this instance's open tasks. */
    public long modelRows(String kind) {
        long sum = 0;
        for (long rows : rowsByKindAndPartition.get(bounded(kind)).values()) {
            sum += rows;
        }
        return sum;
    }

    /** Optimizer steps applied to model rows by this instance's open tasks, all kinds together. */
    public long modelVersion() {
        long sum = 0;
        for (Map<Integer, Long> byPartition : stepsByKindAndPartition.values()) {
            for (long steps : byPartition.values()) {
                sum += steps;
            }
        }
        return sum;
    }

    /** Batch-size weighted mean training loss over the last {@value #LOSS_FLUSHES} flushes; NaN before the first. */
    public double trainingLoss() {
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

    /** Learning rate of the most recent flush; NaN before the first. */
    public double learningRate() {
        return lastLearningRate;
    }

    /** Prequential figures over the window, reused for up to one second. */
    public PrequentialWindow.Snapshot prequential() {
        long now = clock.monotonicTime();
        CachedSnapshot c = cached;
        if (c == null || now - c.takenAt >= SNAPSHOT_REUSE_NANOS) {
            c = new CachedSnapshot(now, window.snapshot());
            cached = c;
        }
        return c.snapshot;
    }

    /** Fresh prequential figures, bypassing reuse (tests, final reports). */
    public PrequentialWindow.Snapshot prequentialNow() {
        PrequentialWindow.Snapshot s = window.snapshot();
        cached = new CachedSnapshot(clock.monotonicTime(), s);
        return s;
    }

    private static String bounded(String kindOrRole) {
        return KINDS.contains(kindOrRole) ? kindOrRole : OTHER;
    }

    private record CachedSnapshot(long takenAt, PrequentialWindow.Snapshot snapshot) {}

    /** The registered meters; created once by {@link #bindTo}. */
    private final class Meters {
        final Counter trained;
        final Counter rejected;
        final Map<String, Counter> rejectedByReason = new ConcurrentHashMap<>();
        final Map<String, Counter> published = new ConcurrentHashMap<>();
        final Map<String, DistributionSummary> batchSize = new ConcurrentHashMap<>();
        final Map<String, Timer> flush = new ConcurrentHashMap<>();
        final Timer publishLatency;
        private final MeterRegistry registry;

        Meters(MeterRegistry registry) {
            this.registry = registry;
            String eventsHelp = "Events consumed from the interactions topic, by outcome";
            // Counters start at what the listener already counted, so binding late loses nothing.
            trained = Counter.builder("streamrec.events")
                    .description(eventsHelp)
                    .baseUnit("events")
                    .tag("outcome", "trained")
                    .register(registry);
            trained.increment(TrainerMetrics.this.trained.sum());
            rejected = Counter.builder("streamrec.events")
                    .description(eventsHelp)
                    .baseUnit("events")
                    .tag("outcome", "rejected")
                    .register(registry);
            rejected.increment(TrainerMetrics.this.rejected.sum());
            TrainerMetrics.this.rejectedByReason.forEach((reason, count) -> {
                Counter c = Counter.builder("streamrec.events.rejected")
                        .description("Events sent to the dead-letter topic, by reason")
                        .baseUnit("events")
                        .tag("reason", reason)
                        .register(registry);
                c.increment(count.sum());
                rejectedByReason.put(reason, c);
            });
            TrainerMetrics.this.published.forEach((kind, count) -> {
                if (KINDS.contains(kind) || count.sum() > 0) {
                    published(kind).increment(count.sum());
                }
            });
            for (String kind : KINDS) {
                Gauge.builder("streamrec.model.rows", TrainerMetrics.this, t -> t.modelRows(kind))
                        .description("Model rows held by this instance's tasks, by kind")
                        .baseUnit("rows")
                        .tag("kind", kind)
                        .strongReference(true)
                        .register(registry);
            }
            for (String role : KINDS) {
                batchSize(role);
                flush(role);
            }
            publishLatency = Timer.builder("streamrec.publish.latency")
                    .description(
                            "Ingest time (Kafka timestamp) of the oldest event in a flush to its rows written to model-updates")
                    .publishPercentiles(0.5, 0.99)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(10))
                    .register(registry);
            gauge(
                    registry,
                    "streamrec.prequential.rmse",
                    "Prequential (predict-then-learn) root mean squared error over the last events",
                    t -> t.prequential().rmse());
            gauge(
                    registry,
                    "streamrec.prequential.mae",
                    "Prequential mean absolute error over the last events",
                    t -> t.prequential().mae());
            gauge(
                    registry,
                    "streamrec.prequential.logloss",
                    "Prequential log loss over the last events (0/1 labels only, else NaN)",
                    t -> t.prequential().logLoss());
            gauge(
                    registry,
                    "streamrec.prequential.auc",
                    "Prequential ROC AUC over the last events (0/1 labels only, else NaN)",
                    t -> t.prequential().auc());
            gauge(
                    registry,
                    "streamrec.training.loss",
                    "Batch-weighted mean training loss of the last flushes",
                    TrainerMetrics::trainingLoss);
            Gauge.builder("streamrec.model.version", TrainerMetrics.this, t -> t.modelVersion())
                    .description(
                            "Optimizer steps applied to model rows by this instance's tasks (streamed part of the model version)")
                    .strongReference(true)
                    .register(registry);
        }

        /** Kind {@code other} is registered only if a caller ever passes an unexpected kind. */
        Counter published(String kind) {
            return published.computeIfAbsent(
                    kind,
                    k -> Counter.builder("streamrec.rows.published")
                            .description("Model rows written to the model-updates topic, by kind")
                            .baseUnit("rows")
                            .tag("kind", k)
                            .register(registry));
        }

        /** Role {@code other} is registered only if a caller ever passes an unexpected role. */
        DistributionSummary batchSize(String role) {
            return batchSize.computeIfAbsent(
                    role,
                    r -> DistributionSummary.builder("streamrec.batch.size")
                            .description("Events per mini-batch flush")
                            .baseUnit("events")
                            .tag("role", r)
                            .register(registry));
        }

        Timer flush(String role) {
            return flush.computeIfAbsent(
                    role,
                    r -> Timer.builder("streamrec.flush")
                            .description("Duration of one mini-batch flush (apply gradients, write rows)")
                            .tag("role", r)
                            .publishPercentiles(0.5, 0.99)
                            .publishPercentileHistogram()
                            .register(registry));
        }

        private void gauge(
                MeterRegistry registry,
                String name,
                String help,
                java.util.function.ToDoubleFunction<TrainerMetrics> f) {
            Gauge.builder(name, TrainerMetrics.this, f)
                    .description(help)
                    .strongReference(true)
                    .register(registry);
        }
    }
}
