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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the residual neighbourhood's design rests on (docs/neighbourhood.md): every instance learns the same bases
 * from the one-partition {@code residuals} topic, so that a user row's tail published by one instance and an item
 * row's published by another are in the same coordinates. Two instances of one application train together, and
 * each must compute every basis after the same residuals, with the same items and the same coordinates, bit for bit.
 */
@Tag("integration")
class NeighbourhoodTwoInstancesTest {
    static final int EVENTS = 30_000;
    /** Fewer than the users of those events, so that the histories' eviction runs on both instances. */
    static final int CACHED_USERS = 200;

    /** Each basis an instance computed, by the residuals read when it appeared: its version and a digest. */
    static final class Bases implements TrainerListener {
        final PrequentialTotals totals = new PrequentialTotals();
        final Map<Long, String> seen = new TreeMap<>();
        volatile long residuals;
        private ItemBasis last;

        @Override
        public synchronized void residualBasis(long residuals, ItemBasis basis, int users) {
            this.residuals = residuals;
            if (basis != null && basis != last) {
                last = basis;
                seen.put(residuals, "version " + basis.version() + ", " + digest(basis) + ", users " + users);
            }
        }

        synchronized Map<Long, String> seen() {
            return new TreeMap<>(seen);
        }
    }

    @Test
    void shouldLearnTheSameBasesOnBothInstances(@TempDir Path stateA, @TempDir Path stateB) throws Exception {
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
                        "every event trained and its residual read by both instances",
                        Duration.ofSeconds(120),
                        () -> a.totals.events() + b.totals.events() >= EVENTS
                                && a.residuals >= EVENTS
                                && b.residuals >= EVENTS);
                assertTrue(a.totals.events() > 0 && b.totals.events() > 0, "both instances trained");
            }
            assertEquals(EVENTS, a.residuals, "one residual per event, read by the first instance");
            assertEquals(EVENTS, b.residuals, "and by the second");
            Map<Long, String> bases = a.seen();
            assertTrue(bases.size() >= 4, "bases computed: " + bases);
            assertTrue(bases.values().stream().anyMatch(s -> s.endsWith("users " + CACHED_USERS)), "at the bound");
            assertEquals(bases, b.seen(), "the same bases, after the same residuals, on both instances");
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
