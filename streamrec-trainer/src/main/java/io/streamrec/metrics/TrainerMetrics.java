package io.streamrec.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamrec.stream.CompositeListener;
import io.streamrec.stream.TrainerListener;
import java.util.List;

/**
 * Turns {@link TrainerListener} callbacks into the {@code streamrec.*} meters of docs/metrics.md, one binder per
 * concern: {@link EventMeters} (is it keeping up and publishing), {@link QualityMeters} (is it learning) and
 * {@link ModelMeters} (what it holds). It also gives the readings the live page and the commands print.
 *
 * <p>The listener side keeps its own plain counters, so the readings work before and without {@link #bindTo}, and
 * counts made before binding show in the meters. Every tag is bounded: outcomes, DLQ reasons (unknown reasons count
 * as {@code other}), roles and kinds ({@code user}, {@code item}, anything else counts as {@code other}). No meter
 * carries a user or item id.
 */
public final class TrainerMetrics implements TrainerListener, MeterBinder {
    /** Default prequential window of the AUC gauge and the live page, in events. */
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

    private final EventMeters events;
    private final QualityMeters quality;
    private final ModelMeters model;
    private final TrainerListener all;
    private boolean bound;

    private final RankingCounters ranking = new RankingCounters();

    /** Metrics for a rating model with the default window and the system clock. */
    public TrainerMetrics() {
        this(DEFAULT_WINDOW, Clock.SYSTEM, false);
    }

    /**
     * @param window prequential window in events, at least 1
     * @param clock  wall time for publish latency, monotonic time for snapshot reuse
     * @param binary whether the model predicts probabilities of 0/1 labels (logistic): then log loss is counted
     */
    public TrainerMetrics(int window, Clock clock, boolean binary) {
        events = new EventMeters(clock);
        quality = new QualityMeters(window, clock, binary);
        model = new ModelMeters();
        all = new CompositeListener(events, quality, model);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (bound) {
            throw new IllegalStateException("TrainerMetrics is already bound to a registry");
        }
        bound = true;
        events.bindTo(registry);
        quality.bindTo(registry);
        model.bindTo(registry);
        ranking.bindTo(registry);
    }

    // --- TrainerListener: each concern hears only what it needs ---------------------------------------

    @Override
    public void eventTrained() {
        events.eventTrained();
    }

    @Override
    public void eventRejected(String reason) {
        events.eventRejected(reason);
    }

    @Override
    public void prequential(double label, double prediction) {
        quality.prequential(label, prediction);
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
        all.flushed(role, batchSize, durationNanos, meanLoss, learningRate);
    }

    @Override
    public void rowsPublished(String kind, int count, long oldestIngestTime) {
        events.rowsPublished(kind, count, oldestIngestTime);
    }

    @Override
    public void modelRows(String kind, int partition, long rows) {
        model.modelRows(kind, partition, rows);
    }

    @Override
    public void taskClosed(String kind, int partition) {
        model.taskClosed(kind, partition);
    }

    @Override
    public void modelVersion(String kind, int partition, long rowSteps) {
        model.modelVersion(kind, partition, rowSteps);
    }

    @Override
    public void userRowsEvicted(int rows) {
        model.userRowsEvicted(rows);
    }

    @Override
    public void rowsExpired(String kind, int rows) {
        model.rowsExpired(kind, rows);
    }

    @Override
    public void rowsAdmitted(String kind, int rows) {
        model.rowsAdmitted(kind, rows);
    }

    @Override
    public void residualsLearned(long residuals, int users) {
        model.residualsLearned(residuals, users);
    }

    @Override
    public void basisReceived(io.streamrec.learn.ItemBasis basis) {
        model.basisReceived(basis);
    }

    @Override
    public void itemStaleness(long totalAgeMs, int count) {
        model.itemStaleness(totalAgeMs, count);
    }

    // --- readings ------------------------------------------------------------------------------------

    /** Events that passed validation and were trained on. */
    public long eventsTrained() {
        return events.trained();
    }

    /** Events sent to the dead-letter topic. */
    public long eventsRejected() {
        return events.rejected();
    }

    /** Rows of {@code kind} held by this instance's open tasks. */
    public long modelRows(String kind) {
        return model.rows(kind);
    }

    /** Optimizer steps applied to model rows by this instance's open tasks, all kinds together. */
    public long modelVersion() {
        return model.version();
    }

    /** Batch-size weighted mean training loss over the last 16 flushes; NaN before the first. */
    public double trainingLoss() {
        return quality.recentTrainingLoss();
    }

    /** Learning rate of the most recent flush; NaN before the first. */
    public double learningRate() {
        return quality.learningRate();
    }

    /** Prequential figures over the window, reused for up to one second. */
    public PrequentialWindow.Snapshot prequential() {
        return quality.prequential();
    }

    /** Fresh prequential figures, bypassing reuse (tests, final reports). */
    public PrequentialWindow.Snapshot prequentialNow() {
        return quality.prequentialNow();
    }

    static String bounded(String kindOrRole) {
        return KINDS.contains(kindOrRole) ? kindOrRole : OTHER;
    }
}
