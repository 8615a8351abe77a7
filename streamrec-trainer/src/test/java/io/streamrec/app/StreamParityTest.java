package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.eval.ProgressiveValidation;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import io.streamrec.learn.ResidualNeighbourhood;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.TrainerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quality parity: the stream trainer at its defaults (mini-batches of {@code train.batch.size} events for the item
 * rows) on a real broker reaches the prequential RMSE of the offline {@link ProgressiveValidation} at batch 1, as
 * {@code evaluate} runs by default, with the same hyper-parameters on the whole of MovieLens-100K. The stream
 * differs by design: its item rows take one step per mini-batch, and user tasks read item rows through the global
 * store, stale by about two flush intervals, making up for it only with their own steps (see
 * {@code StreamTopology}).
 */
@Tag("integration")
class StreamParityTest {
    /** Events per mini-batch offline: per-event SGD, {@code evaluate}'s default. */
    static final int OFFLINE_BATCH = 1;

    static final Duration TRAIN_TIMEOUT = Duration.ofSeconds(120);

    private static List<Rating> ratings;
    /** The stream's hyper-parameters at its defaults, which the offline runs share. */
    private static Hyperparameters hyper;

    private static double offlineRmse;

    @BeforeAll
    static void offline() {
        Path file = io.streamrec.testsupport.Datasets.require("ml-100k/u.data");
        ratings = RatingReader.sortByTime(RatingReader.readAll(file));
        hyper = StreamHarness.config("unused:9092", "unused", Path.of("unused"), 1)
                .hyperparameters();
        Model model = new Model(hyper);
        offlineRmse = new ProgressiveValidation(new MiniBatchLearner(model, OFFLINE_BATCH), 10_000, 1_000)
                .run(ratings, null, null)
                .rmse();
    }

    @Test
    void shouldMatchOfflineProgressiveRmseWithinOnePercentOnOnePartition(@TempDir Path state) throws Exception {
        double rmse = onePartition("parity-1p", state, 0);
        report("1 partition, 1 instance", rmse);
        assertTrue(Math.abs(rmse / offlineRmse - 1) <= 0.01, "stream RMSE " + rmse + " vs offline " + offlineRmse);
    }

    /**
     * The user's scale on the item bias trains in the stream as offline: its user rows carry c_u, its item rows a
     * copy of b_i that the item task keeps equal to the bias, and the user tasks read both through the global store.
     */
    @Test
    void shouldMatchOfflineProgressiveRmseWithTheUserScaleWithinOnePercentOnOnePartition(@TempDir Path state)
            throws Exception {
        double offlineScaled = new ProgressiveValidation(
                        new MiniBatchLearner(new Model(hyper.withUserScale(true)), OFFLINE_BATCH), 10_000, 1_000)
                .run(ratings, null, null)
                .rmse();
        assertTrue(offlineScaled < offlineRmse, "the scale gains offline: " + offlineScaled + " vs " + offlineRmse);
        double rmse = onePartition("parity-1p-scale", state, 4_000, TrainerConfig.USER_SCALE, "true");
        report("1 partition, 1 instance, 4,000 events/s, user scale", rmse, offlineScaled);
        assertTrue(Math.abs(rmse / offlineScaled - 1) <= 0.01, "stream RMSE " + rmse + " vs offline " + offlineScaled);
    }

    /**
     * The residual neighbourhood: user tasks correct their predictions with it and send their residuals to the
     * one-partition topic from which the basis task learns the basis every instance reads, as {@code evaluate
     * --neighbourhood} learns it inline. The stream must match that and keep the layer's gain.
     */
    @Test
    void shouldMatchOfflineProgressiveRmseWithTheNeighbourhoodWithinOnePercentOnOnePartition(@TempDir Path state)
            throws Exception {
        double offlineLayered = offlineWithNeighbourhood();
        double rmse = onePartition("parity-1p-neighbourhood", state, 4_000, WITH_LAYER);
        report("1 partition, 1 instance, 4,000 events/s, user scale and neighbourhood", rmse, offlineLayered);
        assertTrue(
                Math.abs(rmse / offlineLayered - 1) <= 0.01, "stream RMSE " + rmse + " vs offline " + offlineLayered);
        assertTrue(rmse < offlineRmse * 0.995, "the layer gains in the stream: " + rmse + " vs " + offlineRmse);
    }

    /** Two instances, one basis task on either, the bases read by both, their user tasks fitting apart. */
    @Test
    void shouldMatchOfflineProgressiveRmseWithTheNeighbourhoodWithinThreePercentOnFourPartitionsAndTwoInstances(
            @TempDir Path stateA, @TempDir Path stateB) throws Exception {
        double offlineLayered = offlineWithNeighbourhood();
        double rmse = fourPartitionsTwoInstances("parity-4p-neighbourhood", stateA, stateB, 4_000, WITH_LAYER);
        report("4 partitions, 2 instances, 4,000 events/s, user scale and neighbourhood", rmse, offlineLayered);
        assertTrue(
                Math.abs(rmse / offlineLayered - 1) <= 0.03, "stream RMSE " + rmse + " vs offline " + offlineLayered);
    }

    /** The stream's settings for {@code evaluate --user-scale --neighbourhood}. */
    private static final String[] WITH_LAYER = {TrainerConfig.USER_SCALE, "true", TrainerConfig.NEIGHBOURHOOD, "true"};

    /** {@code evaluate --user-scale --neighbourhood}. */
    private static double offlineWithNeighbourhood() {
        Model model = new Model(hyper.withUserScale(true));
        return new ProgressiveValidation(new MiniBatchLearner(model, OFFLINE_BATCH), 10_000, 1_000)
                .withNeighbourhood(new ResidualNeighbourhood(model))
                .run(ratings, null, null)
                .rmse();
    }

    /**
     * One instance over one partition, the file produced at {@code rate} events/s (0: at once), with
     * {@code settings} (key, value, ...).
     * The trainer's default of two threads (user task and item task each get one) matters: on one thread, with the
     * whole file in the topic, the user task starves the item task (gap +1.0% instead of +0.3%).
     */
    private static double onePartition(String id, Path state, double rate, String... settings) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            TrainerConfig config = StreamHarness.config(kafka.bootstrapServers(), id, state, 1);
            for (int k = 0; k < settings.length; k += 2) {
                config = config.with(settings[k], settings[k + 1]);
            }
            PrequentialTotals totals = new PrequentialTotals();
            try (TrainerApp app = TrainerApp.start(config, totals, false)) {
                produce(kafka.bootstrapServers(), rate);
                StreamHarness.await(
                        "all " + ratings.size() + " events trained",
                        TRAIN_TIMEOUT,
                        () -> totals.events() >= ratings.size());
            }
            assertEquals(ratings.size(), totals.events(), "every event scored once");
            return totals.rmse();
        }
    }

    /**
     * The target, for a trainer that keeps up with its input: the file is produced at 4,000 events/s, well
     * within what four partitions on two instances train on a 2-core machine. Measured: +0.5% (and +1.2% at
     * 10,000 events/s, near the capacity of the machine).
     */
    @Test
    void shouldMatchOfflineProgressiveRmseWithinThreePercentOnFourPartitionsAndTwoInstances(
            @TempDir Path stateA, @TempDir Path stateB) throws Exception {
        double rmse = fourPartitionsTwoInstances("parity-4p", stateA, stateB, 4_000);
        report("4 partitions, 2 instances, 4,000 events/s", rmse);
        assertTrue(Math.abs(rmse / offlineRmse - 1) <= 0.03, "stream RMSE " + rmse + " vs offline " + offlineRmse);
    }

    /**
     * The worst case: the whole file is in the topic before training starts. Partitions then run through their
     * backlogs at their own pace, and a user task predicts with item rows that lack whatever the partitions behind it
     * in (event) time have not yet trained; shorter commit and flush intervals do not help (measured: +3.2% to
     * +3.6% with the defaults, +3.2% to +3.4% at 30 ms). A bound against regressions, not the target.
     */
    @Test
    void shouldStayWithinFivePercentOfOfflineOnFourPartitionsUnderAWholeFileBacklog(
            @TempDir Path stateA, @TempDir Path stateB) throws Exception {
        double rmse = fourPartitionsTwoInstances("parity-4p-backlog", stateA, stateB, 0);
        report("4 partitions, 2 instances, whole file as a backlog", rmse);
        assertTrue(Math.abs(rmse / offlineRmse - 1) <= 0.05, "stream RMSE " + rmse + " vs offline " + offlineRmse);
    }

    /**
     * Two instances of one application over 4 partitions; the file produced at {@code rate} (0: at once), with
     * {@code settings} (key, value, ...).
     */
    private static double fourPartitionsTwoInstances(
            String id, Path stateA, Path stateB, double rate, String... settings) throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            PrequentialTotals a = new PrequentialTotals();
            PrequentialTotals b = new PrequentialTotals();
            List<PrequentialTotals> both = List.of(a, b);
            TrainerConfig configA = StreamHarness.config(kafka.bootstrapServers(), id, stateA, 4);
            TrainerConfig configB = StreamHarness.config(kafka.bootstrapServers(), id, stateB, 4);
            for (int k = 0; k < settings.length; k += 2) {
                configA = configA.with(settings[k], settings[k + 1]);
                configB = configB.with(settings[k], settings[k + 1]);
            }
            try (TrainerApp first = TrainerApp.start(configA, a, false);
                    TrainerApp second = TrainerApp.start(configB, b, false)) {
                assertTrue(first.awaitRunning(Duration.ofSeconds(60)) && second.awaitRunning(Duration.ofSeconds(60)));
                produce(kafka.bootstrapServers(), rate);
                StreamHarness.await(
                        "all " + ratings.size() + " events trained",
                        TRAIN_TIMEOUT,
                        () -> StreamHarness.events(both) >= ratings.size());
                assertTrue(
                        a.events() > 0 && b.events() > 0,
                        "both instances trained: " + a.events() + " and " + b.events());
            }
            assertEquals(ratings.size(), StreamHarness.events(both), "every event scored once");
            return StreamHarness.pooledRmse(both);
        }
    }

    /** The whole file, at {@code rate} events/s (0: at once). */
    private static void produce(String bootstrap, double rate) throws Exception {
        if (rate > 0) {
            try (InteractionProducer p = new InteractionProducer(bootstrap)) {
                p.sendAll(ratings.iterator(), Long.MAX_VALUE, rate, () -> false, r -> {});
            }
        } else {
            StreamHarness.produce(bootstrap, ratings);
        }
    }

    private static void report(String setup, double streamRmse) {
        report(setup + ", stream at its defaults", streamRmse, offlineRmse);
    }

    private static void report(String setup, double streamRmse, double offline) {
        System.out.printf(
                "parity (%s, offline batch %d): stream RMSE %.4f, offline %.4f, gap %+.2f%%%n",
                setup, OFFLINE_BATCH, streamRmse, offline, (streamRmse / offline - 1) * 100);
    }
}
