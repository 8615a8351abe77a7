package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.learn.ItemBasis;
import io.streamrec.learn.ResidualBasis;
import io.streamrec.stream.CompositeListener;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.TrainerConfig;
import io.streamrec.stream.TrainerListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the residual neighbourhood's design rests on (docs/neighbourhood.md): every instance predicts and publishes
 * with the same bases, so that a user row's tail published by one instance and an item row's published by another
 * are in the same coordinates. Two instances of one application train together: the one basis task (on either)
 * learns from every event's residual, and both instances must receive the same bases, in the same order, bit for
 * bit.
 */
@Tag("integration")
class NeighbourhoodTwoInstancesTest {
    static final int EVENTS = 30_000;
    /** Fewer than the users of those events, so that the histories' eviction runs. */
    static final int CACHED_USERS = 200;

    /** The bases an instance received, in order (version and digest), and the residuals its basis task learned. */
    static final class Bases implements TrainerListener {
        final PrequentialTotals totals = new PrequentialTotals();
        final List<String> received = new ArrayList<>();
        final AtomicLong learned = new AtomicLong();
        volatile long version = -1;
        volatile int users;

        @Override
        public void residualsLearned(long residuals, int users) {
            learned.addAndGet(residuals);
            this.users = Math.max(this.users, users);
        }

        @Override
        public synchronized void basisReceived(ItemBasis basis) {
            received.add("version " + basis.version() + ", " + digest(basis));
            version = basis.version();
        }

        synchronized List<String> received() {
            return new ArrayList<>(received);
        }
    }

    @Test
    void shouldUseTheSameBasesOnBothInstances(@TempDir Path stateA, @TempDir Path stateB) throws Exception {
        List<Rating> ratings = RatingReader.sortByTime(
                        RatingReader.readAll(io.streamrec.testsupport.Datasets.require("ml-100k/u.data")))
                .subList(0, EVENTS);
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            Bases a = new Bases();
            Bases b = new Bases();
            try (TrainerApp first = TrainerApp.start(config(kafka, stateA), new CompositeListener(a, a.totals), false);
                    TrainerApp second =
                            TrainerApp.start(config(kafka, stateB), new CompositeListener(b, b.totals), false)) {
                assertTrue(first.awaitRunning(Duration.ofSeconds(60)) && second.awaitRunning(Duration.ofSeconds(60)));
                StreamHarness.produce(kafka.bootstrapServers(), ratings, 4_000);
                StreamHarness.await(
                        "every event trained, its residual learned, and the last basis received by both instances",
                        Duration.ofSeconds(120),
                        () -> a.totals.events() + b.totals.events() >= EVENTS
                                && a.learned.get() + b.learned.get() >= EVENTS
                                && a.version >= 3
                                && a.version == b.version);
                assertTrue(a.totals.events() > 0 && b.totals.events() > 0, "both instances trained");
            }
            // One task learns: each residual once (those not yet saved when the task moved, again).
            long learned = a.learned.get() + b.learned.get();
            assertTrue(learned >= EVENTS && learned < EVENTS + 5_000, "residuals learned: " + learned);
            assertEquals(CACHED_USERS, Math.max(a.users, b.users), "histories kept: as many as user.cache.rows");
            List<String> bases = a.received();
            assertTrue(bases.size() >= 4, "bases received: " + bases);
            assertEquals(bases, b.received(), "the same bases, in the same order, on both instances");
        }
    }

    private static TrainerConfig config(EmbeddedKafka kafka, Path state) {
        return StreamHarness.config(kafka.bootstrapServers(), "neighbourhood-two", state, 4)
                .with(TrainerConfig.NEIGHBOURHOOD, "true")
                .with(TrainerConfig.USER_SCALE, "true")
                .with(TrainerConfig.USER_CACHE_ROWS, String.valueOf(CACHED_USERS));
    }

    /** The basis's items and every coordinate's bits, folded into one number. */
    static String digest(ItemBasis basis) {
        long h = 1;
        for (int place = 0; place < basis.size(); place++) {
            h = 31 * h + basis.id(place).hashCode();
            for (int c = 0; c < ResidualBasis.RANK; c++) {
                h = 31 * h + Double.doubleToLongBits(basis.coordinate(place, c));
            }
        }
        return basis.size() + " items, digest " + Long.toHexString(h);
    }
}
