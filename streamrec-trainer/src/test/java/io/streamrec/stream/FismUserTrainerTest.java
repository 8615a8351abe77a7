package io.streamrec.stream;

import static io.streamrec.stream.StreamFixtures.config;
import static io.streamrec.stream.StreamFixtures.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.learn.FismLearner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fism in the user trainer, over in-memory stores kept across "restarts" (a new processor over the stores the
 * changelogs would restore, as in {@link UserTrainerGateTest}): each user's sum and history and the task's context
 * vectors are saved at each flush and read back after a restart or after the user's row left memory.
 */
class FismUserTrainerTest {
    /** StreamFixtures.config's. */
    private static final int FACTORS = 4;

    @TempDir
    Path stateDir;

    private final MockProcessorContext<Object, byte[]> context = new MockProcessorContext<>();
    private KeyValueStore<String, byte[]> fismStore;

    private void stores() {
        context.setCurrentSystemTimeMs(StreamFixtures.NOW);
        store(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Topics.USER_STORE), Serdes.String(), Serdes.ByteArray()));
        store(PendingLog.builder(Topics.USER_PENDING_STORE));
        store(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Role.USER.taskStateStore()), Serdes.String(), Serdes.ByteArray()));
        store(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Topics.GLOBAL_ROWS_STORE), Serdes.String(), Serdes.ByteArray()));
        fismStore = store(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Topics.USER_FISM_STORE), Serdes.String(), Serdes.ByteArray()));
    }

    private <S extends StateStore> S store(StoreBuilder<S> b) {
        S s = b.withLoggingDisabled().build();
        s.init(context.getStateStoreContext(), s);
        context.addStateStore(s);
        return s;
    }

    private UserTrainerProcessor start(int cacheRows) {
        return start(cacheRows, "0");
    }

    private UserTrainerProcessor start(int cacheRows, String rowsTtlMs) {
        TrainerConfig c = config(
                stateDir,
                TrainerConfig.MODEL_KIND,
                "fism",
                TrainerConfig.BATCH_SIZE,
                "8",
                TrainerConfig.USER_CACHE_ROWS,
                Integer.toString(cacheRows),
                TrainerConfig.ROWS_TTL_MS,
                rowsTtlMs);
        UserTrainerProcessor p = new UserTrainerProcessor(
                c,
                new RecordingListener(),
                new PublishedRows(c.hyperparameters().width()));
        p.init(context);
        return p;
    }

    private void punctuate() {
        List<MockProcessorContext.CapturedPunctuator> ps = context.scheduledPunctuators();
        ps.get(ps.size() - 1).getPunctuator().punctuate(context.currentSystemTimeMs());
    }

    private static void feed(UserTrainerProcessor p, List<Event> events) {
        for (Event e : events) {
            p.process(new Record<>(e.user(), e, e.ingestTime()));
        }
    }

    /**
     * Six users, each picking from their own four items of twelve, repeats included: two of them in the first half
     * ({@code second} false), the other two in the second.
     */
    private static List<Event> events(int n, int from, boolean second) {
        List<Event> out = new ArrayList<>();
        for (int k = from; k < from + n; k++) {
            int user = k % 6;
            int item = (user / 2) * 4 + (second ? 2 : 0) + (k / 6) % 2;
            out.add(new Event("u" + user, "i" + item, 1, 1, 1000 + k, 100 + k));
        }
        return out;
    }

    private Map<String, JsonNode> publishedUsers() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (CapturedForward<?, ? extends byte[]> f : context.forwarded()) {
            if (!f.childName().orElseThrow().equals(StreamTopology.USER_MODEL_SINK)) {
                continue;
            }
            String key = (String) f.record().key();
            if (key.startsWith("user:") && f.record().value() != null) {
                out.put(key.substring("user:".length()), json(f.record().value()));
            }
        }
        return out;
    }

    @Test
    void shouldKeepEachUsersSumAndHistoryAcrossARestartAndAfterTheRowLeftMemory() {
        stores();
        List<Event> before = events(60, 0, false);
        List<Event> after = events(60, 60, true);
        // Two user rows in memory for six users: rows leave memory at every flush and come back.
        feed(start(2), before);
        punctuate();
        assertTrue(fismStore.approximateNumEntries() > 0, "the flush saved the fism state");
        context.resetForwards();
        UserTrainerProcessor restarted = start(2); // a restart over the same stores
        feed(restarted, after.subList(0, 30));
        punctuate(); // four of the six users' rows leave memory, and their fism state with them
        feed(restarted, after.subList(30, 60));
        punctuate();
        Map<String, Set<String>> distinct = new LinkedHashMap<>();
        for (Event e : before) {
            distinct.computeIfAbsent(e.user(), u -> new LinkedHashSet<>()).add(e.item());
        }
        for (Event e : after) {
            distinct.get(e.user()).add(e.item());
        }
        Map<String, JsonNode> rows = publishedUsers();
        int width = FACTORS + 1;
        for (Map.Entry<String, Set<String>> user : distinct.entrySet()) {
            byte[] v = fismStore.get(FismTaskState.USER_PREFIX + user.getKey());
            assertNotNull(v, user.getKey());
            FismTaskState.SavedUser saved = FismTaskState.decodeUser(v, width);
            assertEquals(user.getValue().size(), saved.count(), "every distinct item before and after: " + user);
            assertEquals(Set.copyOf(user.getValue()), Set.of(saved.items()), user.getKey());
            // The served row is |N_u|^-alpha S_u, the saved sum.
            JsonNode row = rows.get(user.getKey());
            assertNotNull(row, "user:" + user.getKey() + " published after the restart");
            float[] served = new float[FACTORS];
            float[] expected = new float[FACTORS];
            double scale = Math.pow(saved.count(), -FismLearner.DEFAULT_ALPHA);
            for (int f = 0; f < FACTORS; f++) {
                served[f] = (float) row.get("factors").get(f).asDouble();
                expected[f] = (float) (scale * saved.sum()[f + 1]);
            }
            assertArrayEquals(expected, served, 1e-5f, user.getKey());
        }
        for (int i = 0; i < 12; i++) {
            assertNotNull(fismStore.get(FismTaskState.CONTEXT_PREFIX + "i" + i), "context vector of i" + i);
        }
    }

    @Test
    void shouldStartEachUserFromTheSeedAndNotBringBackAnExpiredOne() {
        stores();
        List<Event> before = events(60, 0, false);
        FismLearner offline = new FismLearner(
                new io.streamrec.learn.Model(
                        config(stateDir, TrainerConfig.MODEL_KIND, "fism").hyperparameters()),
                FismLearner.DEFAULT_NEGATIVES,
                FismLearner.DEFAULT_ALPHA);
        Map<String, Set<String>> seeded = new LinkedHashMap<>();
        for (Event e : before) {
            io.streamrec.learn.Model m = offline.model();
            offline.learn(m.users().getOrCreate(e.user()), m.items().getOrCreate(e.item()), 1, 1, e.eventTime());
            seeded.computeIfAbsent(e.user(), u -> new LinkedHashSet<>()).add(e.item());
        }
        KeyValueStore<String, byte[]> seed = store(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Topics.FISM_SEED_STORE), Serdes.String(), Serdes.ByteArray()));
        FismSeed.records(offline.state(), offline.model().items(), seed::put);

        UserTrainerProcessor p = start(6, "60000");
        List<Event> after = events(12, 60, true);
        feed(p, after);
        punctuate();
        int width = FACTORS + 1;
        for (Map.Entry<String, Set<String>> user : seeded.entrySet()) {
            Set<String> expected = new LinkedHashSet<>(user.getValue());
            after.stream().filter(e -> e.user().equals(user.getKey())).forEach(e -> expected.add(e.item()));
            FismTaskState.SavedUser saved =
                    FismTaskState.decodeUser(fismStore.get(FismTaskState.USER_PREFIX + user.getKey()), width);
            assertEquals(expected.size(), saved.count(), "the seed's items and the new ones: " + user.getKey());
            assertEquals(expected, Set.of(saved.items()), user.getKey());
        }

        // Every row expires; a seeded user coming back afterwards starts empty, not from the seed again.
        context.setCurrentSystemTimeMs(StreamFixtures.NOW + 120_000);
        punctuate();
        byte[] marker = fismStore.get(FismTaskState.USER_PREFIX + "u0");
        assertNotNull(marker, "an expired seeded user is marked, not deleted");
        assertEquals(0, marker.length);
        feed(p, List.of(new Event("u0", "i5", 1, 1, 5000, 5000)));
        punctuate();
        FismTaskState.SavedUser back = FismTaskState.decodeUser(fismStore.get(FismTaskState.USER_PREFIX + "u0"), width);
        assertEquals(1, back.count(), "the one item since it came back");
    }
}
