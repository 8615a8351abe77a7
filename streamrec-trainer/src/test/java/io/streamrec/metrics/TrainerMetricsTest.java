package io.streamrec.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrainerMetricsTest {
    private static final double TOLERANCE = 1e-12;

    private MockClock clock;
    private MeterRegistry registry;
    private TrainerMetrics metrics;

    @BeforeEach
    void setUp() {
        clock = new MockClock();
        registry = new SimpleMeterRegistry();
        metrics = new TrainerMetrics(4, clock);
        metrics.bindTo(registry);
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Test
    void shouldCountTrainedAndRejectedEventsByOutcomeAndReason() {
        metrics.eventTrained();
        metrics.eventTrained();
        metrics.eventRejected("not-json");
        metrics.eventRejected("bad-label");
        metrics.eventRejected("bad-label");

        assertEquals(
                2,
                registry.get("streamrec.events")
                        .tag("outcome", "trained")
                        .counter()
                        .count());
        assertEquals(
                3,
                registry.get("streamrec.events")
                        .tag("outcome", "rejected")
                        .counter()
                        .count());
        assertEquals(
                1,
                registry.get("streamrec.events.rejected")
                        .tag("reason", "not-json")
                        .counter()
                        .count());
        assertEquals(
                2,
                registry.get("streamrec.events.rejected")
                        .tag("reason", "bad-label")
                        .counter()
                        .count());
        assertEquals(
                0,
                registry.get("streamrec.events.rejected")
                        .tag("reason", "bad-weight")
                        .counter()
                        .count());
    }

    @Test
    void shouldKeepReasonTagBoundedByCountingUnknownReasonsAsOther() {
        metrics.eventRejected("user 42 sent garbage");
        assertEquals(
                1,
                registry.get("streamrec.events.rejected")
                        .tag("reason", "other")
                        .counter()
                        .count());
        assertEquals(
                TrainerMetrics.DLQ_REASONS.size() + 1,
                registry.find("streamrec.events.rejected").counters().size());
    }

    @Test
    void shouldComputeWindowedRmseAndMaeFromTheLastEventsOnly() {
        // The first event (error 10) falls out of the 4-event window.
        metrics.prequential(0, 10);
        metrics.prequential(3, 4); // error  1
        metrics.prequential(5, 3); // error -2
        metrics.prequential(1, 1); // error  0
        metrics.prequential(2, 4.5); // error  2.5
        metrics.prequentialNow();

        assertEquals(Math.sqrt((1 + 4 + 0 + 6.25) / 4), gauge("streamrec.prequential.rmse"), TOLERANCE);
        assertEquals((1 + 2 + 0 + 2.5) / 4, gauge("streamrec.prequential.mae"), TOLERANCE);
        assertTrue(Double.isNaN(gauge("streamrec.prequential.auc")), "ratings 1..5 are not binary labels");
        assertTrue(Double.isNaN(gauge("streamrec.prequential.logloss")));
    }

    @Test
    void shouldReportNanBeforeAnyScoredEvent() {
        assertTrue(Double.isNaN(gauge("streamrec.prequential.rmse")));
        assertTrue(Double.isNaN(gauge("streamrec.training.loss")));
    }

    @Test
    void shouldComputeAucAndLogLossForBinaryLabels() {
        // Positives scored 0.8 and 0.4, negatives 0.6 and 0.2: of the 4 positive/negative pairs, 3 are ordered right.
        metrics.prequential(1, 0.8);
        metrics.prequential(0, 0.6);
        metrics.prequential(1, 0.4);
        metrics.prequential(0, 0.2);
        metrics.prequentialNow();

        assertEquals(0.75, gauge("streamrec.prequential.auc"), TOLERANCE);
        double logLoss = -(Math.log(0.8) + Math.log(0.4) + Math.log(1 - 0.6) + Math.log(1 - 0.2)) / 4;
        assertEquals(logLoss, gauge("streamrec.prequential.logloss"), TOLERANCE);
    }

    @Test
    void shouldGiveTiedScoresHalfCreditInAuc() {
        double auc = PrequentialWindow.auc(new double[] {1, 0, 1, 0}, new double[] {0.5, 0.5, 0.9, 0.1});
        // pairs: (0.5 vs 0.5) tie = 0.5, (0.5 vs 0.1) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.1) = 1 -> 3.5 / 4
        assertEquals(0.875, auc, TOLERANCE);
    }

    @Test
    void shouldReuseOneReadingForASecondSoAScrapeSortsTheWindowOnce() {
        metrics.prequential(1, 2);
        assertEquals(1, gauge("streamrec.prequential.rmse"), TOLERANCE);
        metrics.prequential(1, 4);
        assertEquals(1, gauge("streamrec.prequential.rmse"), TOLERANCE, "reused reading");
        clock.add(1, TimeUnit.SECONDS);
        assertEquals(Math.sqrt((1 + 9) / 2.0), gauge("streamrec.prequential.rmse"), TOLERANCE);
    }

    @Test
    void shouldRecordFlushDurationBatchSizeAndBatchWeightedLoss() {
        metrics.flushed("user", 100, TimeUnit.MILLISECONDS.toNanos(20), 0.5, 0.01);
        metrics.flushed("item", 300, TimeUnit.MILLISECONDS.toNanos(40), 1.0, 0.01);

        Timer userFlush = registry.get("streamrec.flush").tag("role", "user").timer();
        assertEquals(1, userFlush.count());
        assertEquals(20, userFlush.totalTime(TimeUnit.MILLISECONDS), TOLERANCE);
        assertEquals(
                300,
                registry.get("streamrec.batch.size")
                        .tag("role", "item")
                        .summary()
                        .totalAmount());
        assertEquals((100 * 0.5 + 300 * 1.0) / 400, gauge("streamrec.training.loss"), TOLERANCE);
        assertNotNull(userFlush.takeSnapshot().percentileValues(), "percentiles configured");
        assertEquals(2, userFlush.takeSnapshot().percentileValues().length);
    }

    @Test
    void shouldRecordPublishLatencyFromTheOldestIngestTimeAndCountRows() {
        clock.add(1_700_000_000_000L, TimeUnit.MILLISECONDS);
        long now = clock.wallTime();
        metrics.rowsPublished("user", 5, now - 250);
        metrics.rowsPublished("item", 2, 0); // no ingest time: rows counted, latency not recorded

        Timer latency = registry.get("streamrec.publish.latency").timer();
        assertEquals(1, latency.count());
        assertEquals(250, latency.totalTime(TimeUnit.MILLISECONDS), TOLERANCE);
        assertEquals(
                5,
                registry.get("streamrec.rows.published")
                        .tag("kind", "user")
                        .counter()
                        .count());
        assertEquals(
                2,
                registry.get("streamrec.rows.published")
                        .tag("kind", "item")
                        .counter()
                        .count());
    }

    @Test
    void shouldSumModelRowsOverOpenTasksAndForgetClosedOnes() {
        metrics.modelRows("user", 0, 10);
        metrics.modelRows("user", 1, 7);
        metrics.modelRows("user", 0, 12);
        metrics.modelRows("item", 0, 3);
        assertEquals(
                19,
                registry.get("streamrec.model.rows").tag("kind", "user").gauge().value());
        metrics.taskClosed("user", 1);
        assertEquals(
                12,
                registry.get("streamrec.model.rows").tag("kind", "user").gauge().value());
        assertEquals(
                3,
                registry.get("streamrec.model.rows").tag("kind", "item").gauge().value());
    }

    @Test
    void shouldSumRowStepsOverOpenTasksAsTheModelVersion() {
        metrics.modelVersion("user", 0, 40);
        metrics.modelVersion("user", 1, 25);
        metrics.modelVersion("user", 0, 45); // a later flush of the same task replaces its figure
        metrics.modelVersion("item", 0, 30);
        assertEquals(45 + 25 + 30, gauge("streamrec.model.version"));
        metrics.taskClosed("user", 1);
        assertEquals(45 + 30, gauge("streamrec.model.version"));
    }

    @Test
    void shouldCarryCountsMadeBeforeBindingIntoTheMeters() {
        TrainerMetrics late = new TrainerMetrics();
        late.eventTrained();
        late.eventRejected("missing-user");
        MeterRegistry r = new SimpleMeterRegistry();
        late.bindTo(r);
        assertEquals(
                1, r.get("streamrec.events").tag("outcome", "trained").counter().count());
        assertEquals(
                1,
                r.get("streamrec.events.rejected")
                        .tag("reason", "missing-user")
                        .counter()
                        .count());
    }

    @Test
    void shouldGiveEveryMeterADescription() {
        // Micrometer derives the percentile gauges (".percentile") itself, without a description.
        registry.getMeters().stream()
                .filter(m -> !m.getId().getName().endsWith(".percentile"))
                .forEach(m -> assertNotNull(
                        m.getId().getDescription(), () -> m.getId().getName() + " has no description"));
    }

    @Test
    void shouldSampleHistoryWithRateBetweenSamples() {
        long[] now = {1_000};
        StatsHistory history = new StatsHistory(metrics, 2_000, 3, () -> now[0]);
        history.sample();
        for (int i = 0; i < 10; i++) {
            metrics.eventTrained();
        }
        now[0] += 2_000;
        StatsHistory.Point p = history.sample();
        assertEquals(5.0, p.eventsPerSecond(), TOLERANCE);
        now[0] += 2_000;
        history.sample();
        now[0] += 2_000;
        history.sample();
        StatsHistory.View view = history.view();
        assertEquals(3, view.points().size(), "bounded ring");
        assertEquals(3_000, view.points().get(0).time(), "oldest first");
        assertEquals(7_000, view.points().get(2).time());
    }
}
