package io.streamrec.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
        metrics = new TrainerMetrics(4, clock, false);
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
                        .functionCounter()
                        .count());
        assertEquals(
                3,
                registry.get("streamrec.events")
                        .tag("outcome", "rejected")
                        .functionCounter()
                        .count());
        assertEquals(
                1,
                registry.get("streamrec.events.rejected")
                        .tag("reason", "not-json")
                        .functionCounter()
                        .count());
        assertEquals(
                2,
                registry.get("streamrec.events.rejected")
                        .tag("reason", "bad-label")
                        .functionCounter()
                        .count());
        assertEquals(
                0,
                registry.get("streamrec.events.rejected")
                        .tag("reason", "bad-weight")
                        .functionCounter()
                        .count());
    }

    @Test
    void shouldKeepReasonTagBoundedByCountingUnknownReasonsAsOther() {
        metrics.eventRejected("user 42 sent garbage");
        assertEquals(
                1,
                registry.get("streamrec.events.rejected")
                        .tag("reason", "other")
                        .functionCounter()
                        .count());
        assertEquals(
                TrainerMetrics.DLQ_REASONS.size() + 1,
                registry.find("streamrec.events.rejected").functionCounters().size());
    }

    private double counter(MeterRegistry r, String name) {
        return r.get(name).functionCounter().count();
    }

    @Test
    void shouldCountPrequentialErrorSumsSoThatAnySetOfInstancesGivesItsRmseAndMae() {
        TrainerMetrics other = new TrainerMetrics(4, clock, false);
        MeterRegistry otherRegistry = new SimpleMeterRegistry();
        other.bindTo(otherRegistry);
        metrics.prequential(3, 4); // error  1
        metrics.prequential(5, 3); // error -2
        other.prequential(1, 1); // error  0
        other.prequential(2, 4.5); // error  2.5
        other.prequential(2, Double.NaN); // ignored: it would poison every sum

        // What PromQL does with sum(...) over the two instances: ratios of summed counters.
        double events = counter(registry, "streamrec.prequential.events")
                + counter(otherRegistry, "streamrec.prequential.events");
        double squared = counter(registry, "streamrec.prequential.squared.error")
                + counter(otherRegistry, "streamrec.prequential.squared.error");
        double absolute = counter(registry, "streamrec.prequential.absolute.error")
                + counter(otherRegistry, "streamrec.prequential.absolute.error");
        assertEquals(4, events);
        assertEquals(Math.sqrt((1 + 4 + 0 + 6.25) / 4), Math.sqrt(squared / events), TOLERANCE);
        assertEquals((1 + 2 + 0 + 2.5) / 4, absolute / events, TOLERANCE);
        assertNull(registry.find("streamrec.prequential.logloss").meter(), "no log loss for a rating model");
        assertNull(registry.find("streamrec.prequential.rmse").meter(), "no per-instance RMSE gauge to average");
    }

    @Test
    void shouldCountEveryEventOfSeveralStreamThreadsOnceTheirTasksFlush() throws Exception {
        // Each thread keeps its events to itself for a while (QualityMeters.BATCH); a flush hands them over.
        int perThread = 10 * QualityMeters.BATCH + 7;
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            int error = t + 1;
            threads[t] = new Thread(() -> {
                for (int e = 0; e < perThread; e++) {
                    metrics.prequential(3, 3 + error);
                }
                metrics.flushed("user", perThread, 1_000_000, 0.5, 0.1);
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(2 * perThread, counter(registry, "streamrec.prequential.events"), "none left behind");
        assertEquals(
                perThread * (1 + 4), counter(registry, "streamrec.prequential.squared.error"), TOLERANCE * perThread);
        assertEquals(perThread * (1 + 2), counter(registry, "streamrec.prequential.absolute.error"), TOLERANCE);
    }

    @Test
    void shouldComputeWindowedRmseAndMaeFromTheLastEventsOnlyForTheLivePage() {
        // The first event (error 10) falls out of the 4-event window.
        metrics.prequential(0, 10);
        metrics.prequential(3, 4); // error  1
        metrics.prequential(5, 3); // error -2
        metrics.prequential(1, 1); // error  0
        metrics.prequential(2, 4.5); // error  2.5
        PrequentialWindow.Snapshot s = metrics.prequentialNow();

        assertEquals(Math.sqrt((1 + 4 + 0 + 6.25) / 4), s.rmse(), TOLERANCE);
        assertEquals((1 + 2 + 0 + 2.5) / 4, s.mae(), TOLERANCE);
        assertTrue(Double.isNaN(gauge("streamrec.prequential.auc")), "ratings 1..5 are not binary labels");
        assertEquals(5, counter(registry, "streamrec.prequential.events"), "the counters keep every event");
    }

    @Test
    void shouldReportNanBeforeAnyScoredEvent() {
        assertTrue(Double.isNaN(gauge("streamrec.prequential.auc")));
        assertTrue(Double.isNaN(metrics.trainingLoss()));
        assertTrue(Double.isNaN(registry.get("streamrec.learning.rate")
                .tag("role", "user")
                .gauge()
                .value()));
    }

    @Test
    void shouldComputeAucAndCountLogLossForBinaryLabels() {
        TrainerMetrics logistic = new TrainerMetrics(4, clock, true);
        MeterRegistry r = new SimpleMeterRegistry();
        logistic.bindTo(r);
        // Positives scored 0.8 and 0.4, negatives 0.6 and 0.2: of the 4 positive/negative pairs, 3 are ordered right.
        logistic.prequential(1, 0.8);
        logistic.prequential(0, 0.6);
        logistic.prequential(1, 0.4);
        logistic.prequential(0, 0.2);
        logistic.prequentialNow();

        assertEquals(0.75, r.get("streamrec.prequential.auc").gauge().value(), TOLERANCE);
        double logLoss = -(Math.log(0.8) + Math.log(0.4) + Math.log(1 - 0.6) + Math.log(1 - 0.2));
        assertEquals(logLoss, counter(r, "streamrec.prequential.logloss"), TOLERANCE);
        assertEquals(logLoss / 4, logistic.prequentialNow().logLoss(), TOLERANCE, "the window agrees");
    }

    @Test
    void shouldExportTheLogLossCounterUnderTheNameTheDashboardQueries() {
        TrainerMetrics logistic = new TrainerMetrics(4, clock, true);
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        logistic.bindTo(prometheus);
        logistic.prequential(1, 0.5);
        String text = prometheus.scrape();
        for (String name : DashboardQueriesTest.LOGISTIC_ONLY) {
            assertTrue(text.contains("\n" + name + " "), name + " in\n" + text);
        }
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
        assertEquals(1, metrics.prequential().rmse(), TOLERANCE);
        metrics.prequential(1, 4);
        assertEquals(1, metrics.prequential().rmse(), TOLERANCE, "reused reading");
        clock.add(1, TimeUnit.SECONDS);
        assertEquals(Math.sqrt((1 + 9) / 2.0), metrics.prequential().rmse(), TOLERANCE);
    }

    @Test
    void shouldRecordFlushDurationBatchSizeLossSumsAndLearningRateByRole() {
        metrics.flushed("user", 100, TimeUnit.MILLISECONDS.toNanos(20), 0.5, 0.01);
        metrics.flushed("item", 300, TimeUnit.MILLISECONDS.toNanos(40), 1.0, 0.02);

        Timer userFlush = registry.get("streamrec.flush").tag("role", "user").timer();
        assertEquals(1, userFlush.count());
        assertEquals(20, userFlush.totalTime(TimeUnit.MILLISECONDS), TOLERANCE);
        assertEquals(
                300,
                registry.get("streamrec.batch.size")
                        .tag("role", "item")
                        .summary()
                        .totalAmount());
        assertEquals((100 * 0.5 + 300 * 1.0) / 400, metrics.trainingLoss(), TOLERANCE, "live page: recent flushes");
        assertEquals(100 * 0.5 + 300 * 1.0, counter(registry, "streamrec.training.loss"), TOLERANCE);
        assertEquals(
                0.02,
                registry.get("streamrec.learning.rate")
                        .tag("role", "item")
                        .gauge()
                        .value(),
                TOLERANCE);
        assertEquals(
                0.01,
                registry.get("streamrec.learning.rate")
                        .tag("role", "user")
                        .gauge()
                        .value(),
                TOLERANCE);
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
                        .functionCounter()
                        .count());
        assertEquals(
                2,
                registry.get("streamrec.rows.published")
                        .tag("kind", "item")
                        .functionCounter()
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
    void shouldCountEvictedAndExpiredRowsAndSumItemStalenessAsASummary() {
        metrics.userRowsEvicted(90);
        metrics.userRowsEvicted(10);
        metrics.rowsExpired("user", 7);
        metrics.rowsExpired("item", 2);
        metrics.itemStaleness(1_500, 3);
        metrics.itemStaleness(500, 1);

        assertEquals(100, counter(registry, "streamrec.user.cache.evictions"));
        assertEquals(
                7,
                registry.get("streamrec.rows.expired")
                        .tag("kind", "user")
                        .functionCounter()
                        .count());
        assertEquals(
                2,
                registry.get("streamrec.rows.expired")
                        .tag("kind", "item")
                        .functionCounter()
                        .count());
        FunctionTimer staleness = registry.get("streamrec.item.staleness").functionTimer();
        assertEquals(4, staleness.count());
        assertEquals(2.0, staleness.totalTime(TimeUnit.SECONDS), TOLERANCE);
        assertEquals(500, staleness.mean(TimeUnit.MILLISECONDS), TOLERANCE);
    }

    @Test
    void shouldCarryCountsMadeBeforeBindingIntoTheMeters() {
        TrainerMetrics late = new TrainerMetrics();
        late.eventTrained();
        late.eventRejected("missing-user");
        MeterRegistry r = new SimpleMeterRegistry();
        late.bindTo(r);
        assertEquals(
                1,
                r.get("streamrec.events")
                        .tag("outcome", "trained")
                        .functionCounter()
                        .count());
        assertEquals(
                1,
                r.get("streamrec.events.rejected")
                        .tag("reason", "missing-user")
                        .functionCounter()
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
