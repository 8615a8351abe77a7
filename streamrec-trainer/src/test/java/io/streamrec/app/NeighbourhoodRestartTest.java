package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.stream.CompositeListener;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.TrainerListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The residual basis lives in Kafka: the basis task's learner is saved in its changelogged store, so a trainer
 * started again, even on an empty state directory, goes on with the same learner and the latest basis, while the
 * {@code residuals} records it has committed past are deleted (the topic does not grow with the stream).
 */
@Tag("integration")
class NeighbourhoodRestartTest {
    static final int FIRST = 20_000;
    static final int MORE = 10_000;
    static final int CACHED_USERS = 100;

    /** Watches the instance's basis task and the bases it receives. */
    static final class BasisWatch implements TrainerListener {
        final PrequentialTotals totals = new PrequentialTotals();
        final AtomicLong learned = new AtomicLong();
        volatile long version = -1;
        volatile int users = -1;

        @Override
        public void residualsLearned(long residuals, int users) {
            learned.addAndGet(residuals);
            this.users = users;
        }

        @Override
        public void basisReceived(io.streamrec.learn.ItemBasis basis) {
            version = basis.version();
        }
    }

    @Test
    void shouldGoOnWithTheSavedLearnerAfterARestartOnAnEmptyStateDirectory(@TempDir Path state) throws Exception {
        List<Rating> ratings = RatingReader.sortByTime(
                RatingReader.readAll(io.streamrec.testsupport.Datasets.require("ml-100k/u.data")));
        try (EmbeddedKafka kafka = new EmbeddedKafka().start();
                Admin admin =
                        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            BasisWatch first = new BasisWatch();
            try (TrainerApp app = TrainerApp.start(
                    config(kafka, state.resolve("first")), new CompositeListener(first, first.totals), false)) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
                StreamHarness.produce(kafka.bootstrapServers(), ratings.subList(0, FIRST));
                StreamHarness.await(
                        "the first events trained, their residuals learned, and residuals purged",
                        Duration.ofSeconds(90),
                        () -> first.totals.events() >= FIRST
                                && first.learned.get() >= FIRST
                                && earliest(admin) >= FIRST / 2);
                assertEquals(CACHED_USERS, first.users, "histories kept: as many as user.cache.rows");
                // Past the basis task's next save (every 5 s): the residuals learned since the last are saved with it.
                Thread.sleep(6_000);
            }
            assertEquals(FIRST, first.learned.get(), "one residual per trained event");
            assertEquals(0, first.users, "the task closed with the instance");
            assertTrue(first.version >= 3, "bases computed: " + (first.version + 1));

            BasisWatch second = new BasisWatch();
            try (TrainerApp app = TrainerApp.start(
                    config(kafka, state.resolve("second")), new CompositeListener(second, second.totals), false)) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
                StreamHarness.await(
                        "the latest basis received, and the learner restored from its changelog",
                        Duration.ofSeconds(60),
                        () -> second.version == first.version && second.users > 0);
                assertEquals(CACHED_USERS, second.users, "the same histories kept");
                assertTrue(
                        second.learned.get() < FIRST / 4,
                        "restored, not learned again from the residuals: " + second.learned.get());
                assertEquals(0, second.totals.events(), "nothing trained yet");
                StreamHarness.produce(kafka.bootstrapServers(), ratings.subList(FIRST, FIRST + MORE));
                StreamHarness.await(
                        "the next events trained and learned",
                        Duration.ofSeconds(90),
                        () -> second.totals.events() >= MORE && second.learned.get() >= MORE);
                // A restored learner counts on from 20,000 events: its next bases come a tenth of all apart. A new
                // one would have made its first at 5,000, version 0.
                StreamHarness.await("a later basis", Duration.ofSeconds(30), () -> second.version > first.version);
                assertTrue(
                        second.totals.rmse() < 1.0,
                        "training goes on after the restart, its predictions sane: RMSE " + second.totals.rmse());
            }
        }
    }

    private static TrainerConfig config(EmbeddedKafka kafka, Path state) {
        return StreamHarness.config(kafka.bootstrapServers(), "neighbourhood-restart", state, 1)
                .with(TrainerConfig.NEIGHBOURHOOD, "true")
                .with(TrainerConfig.USER_SCALE, "true")
                // Fewer than the users of the first events: the basis's histories are bounded as the rows are.
                .with(TrainerConfig.USER_CACHE_ROWS, String.valueOf(CACHED_USERS))
                .with(StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, "500");
    }

    /** The first offset the {@code residuals} topic still holds. */
    private static long earliest(Admin admin) {
        TopicPartition tp = new TopicPartition(Topics.RESIDUALS, 0);
        try {
            return admin.listOffsets(Map.of(tp, OffsetSpec.earliest()))
                    .partitionResult(tp)
                    .get(10, TimeUnit.SECONDS)
                    .offset();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the earliest offset of " + tp, e);
        }
    }
}
