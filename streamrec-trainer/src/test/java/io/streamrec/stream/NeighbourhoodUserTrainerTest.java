package io.streamrec.stream;

import static io.streamrec.stream.StreamFixtures.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.learn.ResidualBasis;
import io.streamrec.learn.ResidualNeighbourhood;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The residual neighbourhood in the user trainer, over in-memory stores kept across "restarts" (a new processor over
 * the stores the changelogs would restore, as in {@link FismUserTrainerTest}). The basis is learned as the global
 * thread learns it: from the residuals the processor forwards, in their order.
 */
class NeighbourhoodUserTrainerTest {
    private static final int USERS = 30;
    private static final int ITEMS = 40;

    @TempDir
    Path stateDir;

    private final MockProcessorContext<Object, byte[]> context = new MockProcessorContext<>();
    private KeyValueStore<String, byte[]> layerStore;
    private int residualsRead;

    private void stores() {
        StreamFixtures.addUserTaskStores(context);
        layerStore = StreamFixtures.addStore(
                context,
                Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(Topics.USER_NEIGHBOURHOOD_STORE),
                        Serdes.String(),
                        Serdes.ByteArray()));
    }

    /** A task over new stores that trained past the first basis and flushed. */
    private UserTrainerProcessor trained(ResidualBasis basis) {
        stores();
        UserTrainerProcessor p = start(basis);
        feed(p, basis, events(ResidualBasis.MIN_REFRESH_EVENTS + 2000, 1));
        punctuate();
        return p;
    }

    private UserTrainerProcessor start(ResidualBasis basis, String... settings) {
        List<String> all = new ArrayList<>(List.of(
                TrainerConfig.NEIGHBOURHOOD, "true", TrainerConfig.USER_SCALE, "true", TrainerConfig.BATCH_SIZE, "8"));
        all.addAll(List.of(settings));
        TrainerConfig c = config(stateDir, all.toArray(String[]::new));
        UserTrainerProcessor p = new UserTrainerProcessor(
                c, listener, new PublishedRows(c.hyperparameters().width()), basis::current);
        p.init(context);
        return p;
    }

    private RecordingListener listener = new RecordingListener();

    /** Feeds the residuals forwarded since the last call to {@code basis}, as the basis task would, its bases reaching the task at once. */
    private void globalThread(ResidualBasis basis) {
        List<MockProcessorContext.CapturedForward<?, ? extends byte[]>> all = context.forwarded();
        for (; residualsRead < all.size(); residualsRead++) {
            var f = all.get(residualsRead);
            if (f.childName().orElseThrow().equals(StreamTopology.RESIDUALS_SINK)) {
                Codecs.Residual r = Codecs.decodeResidual(f.record().value());
                basis.observe((String) f.record().key(), r.item(), r.residual());
            }
        }
    }

    private void punctuate() {
        List<MockProcessorContext.CapturedPunctuator> ps = context.scheduledPunctuators();
        ps.get(ps.size() - 1).getPunctuator().punctuate(context.currentSystemTimeMs());
    }

    /** Users in turn, each rating items in random order with labels from a planted taste per item group. */
    private static List<Event> events(int n, long seed) {
        Random random = new Random(seed);
        List<Event> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int user = random.nextInt(USERS);
            int item = random.nextInt(ITEMS);
            float label = (user % 2 == item % 2) ? 5 : 1;
            out.add(new Event("u" + user, "i" + item, label, 1, 1000 + k, 100 + k));
        }
        return out;
    }

    private void feed(UserTrainerProcessor p, ResidualBasis basis, List<Event> events) {
        for (Event e : events) {
            p.process(new Record<>(e.user(), e, e.ingestTime()));
            globalThread(basis);
        }
    }

    @Test
    void shouldSendEveryTrainedEventsResidualAndSaveTheLayerWithTheRows() {
        stores();
        ResidualBasis basis = new ResidualBasis(42);
        UserTrainerProcessor p = start(basis);
        List<Event> events = events(ResidualBasis.MIN_REFRESH_EVENTS + 2000, 1);
        feed(p, basis, events);
        punctuate();

        assertEquals(events.size(), basis.events(), "one residual per trained event");
        assertNotNull(basis.current(), "the basis is learned from the residuals sent");
        assertNotNull(layerStore.get(NeighbourhoodTaskState.FIT_KEY));
        assertNotNull(layerStore.get(NeighbourhoodTaskState.USER_PREFIX + "u0"));
    }

    /** A restart over the saved stores finds each user's layer state and the fit as they were at the flush. */
    @Test
    void shouldRestoreUsersAndTheFitAfterARestart() {
        ResidualBasis basis = new ResidualBasis(42);
        UserTrainerProcessor p = trained(basis);
        List<ResidualNeighbourhood.SavedUser> saved = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            saved.add(p.neighbourhood().save("u" + u));
        }
        double[] weights = p.neighbourhood().weights();
        p.close();

        UserTrainerProcessor restarted = start(basis);
        assertArrayEquals(weights, restarted.neighbourhood().weights(), "the fit");
        for (int u = 0; u < USERS; u++) {
            String user = "u" + u;
            assertFalse(restarted.neighbourhood().knows(user));
            restarted.loadNeighbourhood(user);
            ResidualNeighbourhood.SavedUser was = saved.get(u);
            ResidualNeighbourhood.SavedUser now = restarted.neighbourhood().save(user);
            assertNotNull(now, user);
            assertEquals(was.events(), now.events(), user);
            assertArrayEquals(was.level(), now.level(), user);
            assertArrayEquals(was.vector(), now.vector(), user);
            assertEquals(was.inBasis(), now.inBasis(), user);
            assertArrayEquals(was.labels(), now.labels(), user);
            assertTrue(was.items().length > 0, user + " has a history on basis items");
            for (int h = 0; h < was.items().length; h++) {
                assertEquals(p.itemId(was.items()[h]), restarted.itemId(now.items()[h]), user + " history " + h);
            }
        }
    }

    /** A user whose row expires ({@code rows.ttl.ms}) loses its layer state too, saved and in memory. */
    @Test
    void shouldForgetTheLayerStateOfExpiredUsers() {
        stores();
        ResidualBasis basis = new ResidualBasis(42);
        UserTrainerProcessor p = start(basis, TrainerConfig.ROWS_TTL_MS, "10000");
        feed(p, basis, List.of(new Event("u0", "i0", 5, 1, 10, 100), new Event("u1", "i0", 1, 1, 11, 101)));
        punctuate();
        assertNotNull(layerStore.get(NeighbourhoodTaskState.USER_PREFIX + "u0"));

        // u1 trains again 6 s later; 11 s after its only event, u0's row expires.
        context.setCurrentSystemTimeMs(StreamFixtures.NOW + 6_000);
        feed(p, basis, List.of(new Event("u1", "i1", 2, 1, 12, 102)));
        punctuate();
        context.setCurrentSystemTimeMs(StreamFixtures.NOW + 11_000);
        punctuate();

        assertNull(layerStore.get(NeighbourhoodTaskState.USER_PREFIX + "u0"), "deleted from the store");
        assertFalse(p.neighbourhood().knows("u0"), "dropped from memory");
        assertNotNull(layerStore.get(NeighbourhoodTaskState.USER_PREFIX + "u1"));
        assertTrue(p.neighbourhood().knows("u1"));
    }

    /** Without the saved state, a restarted task knows nothing of the users: the test above can fail. */
    @Test
    void shouldStartUsersAfreshWhenTheSavedStateIsLost() {
        ResidualBasis basis = new ResidualBasis(42);
        UserTrainerProcessor p = trained(basis);
        p.close();
        try (var it = layerStore.all()) {
            List<String> keys = new ArrayList<>();
            it.forEachRemaining(kv -> keys.add(kv.key));
            keys.forEach(layerStore::delete);
        }

        UserTrainerProcessor restarted = start(basis);
        restarted.loadNeighbourhood("u0");
        assertFalse(restarted.neighbourhood().knows("u0"));
        assertArrayEquals(new double[5], restarted.neighbourhood().weights());
    }
}
