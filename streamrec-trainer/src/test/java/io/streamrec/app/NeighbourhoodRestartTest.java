package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.stream.CompositeListener;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.TrainerListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The residual basis lives in Kafka: a trainer started again over the {@code residuals} topic learns the same bases
 * from it (the global store's restoration runs the topic through the basis learner) before it trains anything, and
 * goes on from there.
 */
@Tag("integration")
class NeighbourhoodRestartTest {
    static final int FIRST = 20_000;
    static final int MORE = 10_000;
    static final int CACHED_USERS = 100;

    /** Watches the instance's residual basis. */
    static final class BasisWatch implements TrainerListener {
        final PrequentialTotals totals = new PrequentialTotals();
        volatile long residuals;
        volatile long version = -1;
        volatile int users;

        @Override
        public void residualBasis(long residuals, io.streamrec.learn.ItemBasis basis, int users) {
            this.residuals = residuals;
            this.version = basis == null ? -1 : basis.version();
            this.users = users;
        }
    }

    @Test
    void shouldLearnTheSameBasesAgainFromTheResidualsTopicAfterARestart(@TempDir Path state) throws Exception {
        List<Rating> ratings = RatingReader.sortByTime(
                RatingReader.readAll(io.streamrec.testsupport.Datasets.require("ml-100k/u.data")));
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            TrainerConfig config = StreamHarness.config(kafka.bootstrapServers(), "neighbourhood-restart", state, 1)
                    .with(TrainerConfig.NEIGHBOURHOOD, "true")
                    .with(TrainerConfig.USER_SCALE, "true")
                    // Fewer than the users of the first events: the basis's histories are bounded as the rows are.
                    .with(TrainerConfig.USER_CACHE_ROWS, String.valueOf(CACHED_USERS));
            BasisWatch first = new BasisWatch();
            try (TrainerApp app = TrainerApp.start(config, new CompositeListener(first, first.totals), false)) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
                StreamHarness.produce(kafka.bootstrapServers(), ratings.subList(0, FIRST));
                StreamHarness.await(
                        "the first events trained and their residuals read back",
                        Duration.ofSeconds(90),
                        () -> first.totals.events() >= FIRST && first.residuals >= FIRST);
            }
            assertEquals(FIRST, first.residuals, "one residual per trained event");
            assertTrue(first.version >= 3, "bases computed: " + (first.version + 1));
            assertEquals(CACHED_USERS, first.users, "histories kept: as many as user.cache.rows");

            BasisWatch second = new BasisWatch();
            try (TrainerApp app = TrainerApp.start(config, new CompositeListener(second, second.totals), false)) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
                // Restored before the stream threads run: the same residuals, the same number of bases.
                assertEquals(first.residuals, second.residuals, "residuals replayed at start-up");
                assertEquals(first.version, second.version, "bases learned again");
                assertEquals(first.users, second.users, "the same histories kept");
                assertEquals(0, second.totals.events(), "nothing trained yet");
                StreamHarness.produce(kafka.bootstrapServers(), ratings.subList(FIRST, FIRST + MORE));
                StreamHarness.await(
                        "the next events trained",
                        Duration.ofSeconds(90),
                        () -> second.totals.events() >= MORE && second.residuals >= FIRST + MORE);
                assertTrue(second.version > first.version, "later bases: " + second.version);
                assertTrue(
                        second.totals.rmse() < 1.0,
                        "training goes on after the restart, its predictions sane: RMSE " + second.totals.rmse());
            }
        }
    }
}
