package io.streamrec.stream;

import static io.streamrec.stream.StreamFixtures.config;
import static io.streamrec.stream.StreamFixtures.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user trainer alone, over in-memory stores. A new processor over stores that hold what the changelogs would
 * restore after a crash is how a restart looks to the processor; the {@code TopologyTestDriver}-level version of
 * this test is not possible (the driver neither restores changelogs nor keeps in-memory stores across drivers),
 * and the integration tests kill -9 a real application against a real broker.
 */
class UserTrainerProcessorTest {
    @TempDir
    Path stateDir;

    /** The stores of one user task, kept across "restarts". */
    private final class Task {
        final MockProcessorContext<Object, byte[]> context = new MockProcessorContext<>();
        final PendingLog pending;

        Task() {
            // The processor reads the time from its context; a fixed clock makes the published timestamps exact.
            context.setCurrentSystemTimeMs(StreamFixtures.NOW);
            store(Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(Topics.USER_STORE), Serdes.String(), Serdes.ByteArray()));
            pending = store(PendingLog.builder(Topics.USER_PENDING_STORE));
            store(Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(Role.USER.taskStateStore()), Serdes.String(), Serdes.ByteArray()));
            store(Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(Topics.GLOBAL_ROWS_STORE), Serdes.String(), Serdes.ByteArray()));
        }

        private <S extends org.apache.kafka.streams.processor.StateStore> S store(
                org.apache.kafka.streams.state.StoreBuilder<S> b) {
            S s = b.withLoggingDisabled().build();
            s.init(context.getStateStoreContext(), s);
            context.addStateStore(s);
            return s;
        }

        /** What Kafka Streams does to the stores right before it commits the task. */
        void commit() {
            pending.flushCache();
        }

        UserTrainerProcessor start(TrainerConfig c, TrainerListener l) {
            UserTrainerProcessor p = new UserTrainerProcessor(
                    c, l, new PublishedRows(c.hyperparameters().width()));
            p.init(context);
            return p;
        }

        /** Fires the punctuator the latest processor scheduled. */
        void punctuate() {
            List<MockProcessorContext.CapturedPunctuator> ps = context.scheduledPunctuators();
            ps.get(ps.size() - 1).getPunctuator().punctuate(System.currentTimeMillis());
        }

        Map<String, byte[]> modelUpdates() {
            Map<String, byte[]> out = new TreeMap<>();
            for (CapturedForward<?, ? extends byte[]> f : context.forwarded()) {
                if (f.childName().orElseThrow().equals(StreamTopology.USER_MODEL_SINK)) {
                    out.put((String) f.record().key(), f.record().value());
                }
            }
            return out;
        }
    }

    private static final List<Event> EVENTS = List.of(
            new Event("u1", "i1", 5, 1, 10, 100),
            new Event("u2", "i1", 2, 1, 11, 101),
            new Event("u1", "i2", 4, 1, 12, 102));

    private static void feed(UserTrainerProcessor p, List<Event> events) {
        for (Event e : events) {
            p.process(new Record<>(e.user(), e, e.ingestTime()));
        }
    }

    @Test
    void shouldRejoinPendingEventsAfterARestartAndFlushThemWithoutScoringThemAgain() {
        TrainerConfig c = config(stateDir, TrainerConfig.BATCH_SIZE, "10");

        Task crashed = new Task();
        RecordingListener before = new RecordingListener();
        feed(crashed.start(c, before), EVENTS);
        crashed.commit();
        assertEquals(3, before.prequential.size());
        assertTrue(crashed.context.forwarded().isEmpty(), "fewer than batch.size events: nothing published yet");

        // A new processor over the same stores, as after a crash; it flushes on its punctuator.
        RecordingListener after = new RecordingListener();
        crashed.start(c, after);
        crashed.punctuate();
        Map<String, byte[]> restarted = crashed.modelUpdates();
        assertTrue(after.prequential.isEmpty(), "pending events were scored before the crash");
        assertEquals(List.of(new RecordingListener.Flush("user", 3)), after.flushes);
        assertEquals(2, json(restarted.get("user:u1")).get("updates").asLong());
        assertEquals(1, json(restarted.get("user:u2")).get("updates").asLong());
        assertArrayEquals(new double[] {11, 3}, ModelUpdates.parseMean(restarted.get("mean:0")), 1e-9);

        // The same rows as a task that never crashed.
        Task reference = new Task();
        feed(reference.start(c, new RecordingListener()), EVENTS);
        reference.punctuate();
        Map<String, byte[]> expected = reference.modelUpdates();
        assertEquals(expected.keySet(), restarted.keySet());
        for (String k : List.of("user:u1", "user:u2")) {
            ModelUpdates.ParsedRow want = ModelUpdates.parseRow(k, expected.get(k), 5);
            ModelUpdates.ParsedRow got = ModelUpdates.parseRow(k, restarted.get(k), 5);
            assertNotNull(got);
            assertArrayEquals(want.params(), got.params(), 0f, k);
            assertEquals(want.version(), got.version());
        }

        // After the flush nothing is pending: a further restart replays nothing.
        crashed.context.resetForwards();
        crashed.start(c, new RecordingListener());
        crashed.punctuate();
        assertTrue(crashed.context.forwarded().isEmpty());
    }

    @Test
    void shouldAskForACommitRightAfterEachFlushOnTheEpochsPhase() {
        Task task = new Task();
        feed(task.start(config(stateDir, TrainerConfig.FLUSH_INTERVAL_MS, "150"), new RecordingListener()), EVENTS);
        MockProcessorContext.CapturedPunctuator p =
                task.context.scheduledPunctuators().get(0);
        // Anchored at the epoch, every task of a stream thread flushes at the same moment, and the thread (one
        // transaction for all its tasks) commits once per interval instead of once per task.
        assertEquals(java.time.Instant.EPOCH, p.getStartTime());
        assertEquals(java.time.Duration.ofMillis(150), p.getInterval());
        assertFalse(task.context.committed(), "no commit asked before the flush");
        task.punctuate();
        assertTrue(task.modelUpdates().containsKey("user:u1"), "published by the flush");
        assertTrue(task.context.committed(), "the published rows become visible at once, not at the commit timer");
    }

    @Test
    void shouldDropTheLeastRecentlyUsedUserRowsBeyondTheBoundWithoutChangingAnyResult() {
        // Users in turn, then the earliest ones again: the bounded task must read their rows back from its store.
        List<Event> events = new java.util.ArrayList<>();
        String[] order = {"a", "b", "c", "d", "a", "b", "e", "a", "c", "d"};
        for (int k = 0; k < order.length; k++) {
            events.add(new Event(order[k], "i" + (k % 3), 1 + k % 5, 1, 10 + k, 100 + k));
        }
        RecordingListener boundedListener = new RecordingListener();
        RecordingListener freeListener = new RecordingListener();
        Task boundedTask = new Task();
        Task freeTask = new Task();
        UserTrainerProcessor bounded = boundedTask.start(
                config(stateDir.resolve("b"), TrainerConfig.BATCH_SIZE, "2", TrainerConfig.USER_CACHE_ROWS, "2"),
                boundedListener);
        UserTrainerProcessor free =
                freeTask.start(config(stateDir.resolve("f"), TrainerConfig.BATCH_SIZE, "2"), freeListener);
        int most = 0;
        long dropped = 0;
        for (Event e : events) {
            feed(bounded, List.of(e));
            feed(free, List.of(e));
            most = Math.max(most, bounded.usersInMemory());
            int before = bounded.usersInMemory();
            boundedTask.punctuate();
            dropped += before - bounded.usersInMemory();
            freeTask.punctuate();
            assertTrue(
                    bounded.usersInMemory() <= 2,
                    "at most user.cache.rows after an interval: " + bounded.usersInMemory());
        }
        assertEquals(3, most, "a third user joined between two intervals, then the least recently used went");
        assertEquals(5, free.usersInMemory());
        assertTrue(dropped > 0, "the bound dropped rows");
        assertEquals(dropped, boundedListener.evicted.get(), "every dropped row is told to the listener");
        assertEquals(0, freeListener.evicted.get());
        assertEquals(
                freeListener.prequential,
                boundedListener.prequential,
                "the same predictions: a dropped row comes back from the store with its values and optimizer state");
        Map<String, byte[]> want = freeTask.modelUpdates();
        Map<String, byte[]> got = boundedTask.modelUpdates();
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            assertEquals(json(want.get(k)).get("version"), json(got.get(k)).get("version"), k);
            assertEquals(json(want.get(k)).get("updates"), json(got.get(k)).get("updates"), k);
            assertEquals(json(want.get(k)).get("factors"), json(got.get(k)).get("factors"), k);
        }
    }

    @Test
    void shouldExpireUserRowsNotTrainedForTheTtlFromStoreAndMemoryAndTombstoneThem() {
        Task task = new Task();
        TrainerConfig c = config(stateDir, TrainerConfig.BATCH_SIZE, "1", TrainerConfig.ROWS_TTL_MS, "10000");
        RecordingListener listener = new RecordingListener();
        UserTrainerProcessor p = task.start(c, listener);
        KeyValueStore<String, byte[]> store = task.context.getStateStore(Topics.USER_STORE);
        feed(p, List.of(new Event("u1", "i1", 4, 1, 10, 100), new Event("u2", "i1", 3, 1, 11, 101)));
        task.punctuate();

        // 6 s later u2 trains again: a sweep (every quarter TTL) finds nobody older than 10 s.
        task.context.setCurrentSystemTimeMs(StreamFixtures.NOW + 6_000);
        feed(p, List.of(new Event("u2", "i2", 5, 1, 12, 102)));
        task.punctuate();
        assertEquals(0, listener.expired.get());
        assertNotNull(store.get("u1"));

        // 11 s after its only event, u1 goes; u2 (5 s) stays.
        task.context.setCurrentSystemTimeMs(StreamFixtures.NOW + 11_000);
        task.context.resetForwards();
        task.punctuate();
        assertEquals(1, listener.expired.get());
        assertNull(store.get("u1"), "deleted from the task's store");
        assertNotNull(store.get("u2"));
        assertEquals(1, p.usersInMemory(), "dropped from memory");
        Map<String, byte[]> updates = task.modelUpdates();
        assertTrue(updates.containsKey("user:u1"), "a record for u1 on model-updates");
        assertNull(updates.get("user:u1"), "a tombstone: compaction removes the row, clients drop it");
        assertFalse(updates.containsKey("user:u2"));

        // u1 comes back: a new row from its initial values, one step old.
        task.context.resetForwards();
        feed(p, List.of(new Event("u1", "i1", 4, 1, 13, 103)));
        task.punctuate();
        assertEquals(1, json(task.modelUpdates().get("user:u1")).get("version").asInt());
    }

    @Test
    void shouldSplitAFlushOfManyItemsIntoGradientRecordsUnderTheLimitWithEachItemOnce() {
        Task task = new Task();
        TrainerConfig c = config(stateDir);
        int width = c.hyperparameters().width();
        UserTrainerProcessor p = task.start(c, new RecordingListener());
        // One interval of a backlog over a large catalogue: more distinct items than one record can hold.
        int items = 3 * PendingLog.RECORD_BYTES / (4 * width + 20);
        java.util.List<Event> events = new java.util.ArrayList<>();
        for (int e = 0; e < items; e++) {
            events.add(new Event("u" + e % 50, "item-" + e, 1 + e % 5, 1, 10 + e, 100 + e));
        }
        feed(p, events);
        task.punctuate();

        Map<Object, Integer> recordsPerPartition = new TreeMap<>();
        for (CapturedForward<?, ? extends byte[]> f : task.context.forwarded()) {
            if (f.childName().orElseThrow().equals(StreamTopology.ITEM_GRADIENTS_SINK)) {
                recordsPerPartition.merge(f.record().key(), 1, Integer::sum);
                int size = f.record().value().length;
                assertTrue(size < PendingLog.RECORD_BYTES + 4 * width + 64, "record of " + size + " bytes");
            }
        }
        assertTrue(
                recordsPerPartition.values().stream().anyMatch(n -> n > 1),
                "a partition's gradients in several records: " + recordsPerPartition);
        Map<String, double[]> sent = gradientsSent(task, width);
        assertEquals(items, sent.size(), "every item sent");
        assertTrue(sent.values().stream().allMatch(g -> g[0] == 1), "each item once, with its one event");
    }

    /** The item gradients a flush sent, by item: {events, bias gradient, squared norm of the factor gradient}. */
    private static Map<String, double[]> gradientsSent(Task task, int width) {
        Map<String, double[]> out = new TreeMap<>();
        for (CapturedForward<?, ? extends byte[]> f : task.context.forwarded()) {
            if (f.childName().orElseThrow().equals(StreamTopology.ITEM_GRADIENTS_SINK)) {
                Codecs.readGradientBatch(f.record().value(), width, (id, events, oldest, grad) -> {
                    double norm = 0;
                    for (int k = 1; k < width; k++) {
                        norm += grad[k] * grad[k];
                    }
                    double[] sum = out.computeIfAbsent(id, k -> new double[3]);
                    sum[0] += events;
                    sum[1] += grad[0];
                    sum[2] += norm;
                });
            }
        }
        return out;
    }

    @Test
    void shouldGiveAUserNoRowBeforeItsAdmissionWhileItsEventsStillTrainTheItemBias() {
        Task task = new Task();
        TrainerConfig c = config(stateDir, TrainerConfig.BATCH_SIZE, "1", TrainerConfig.ROWS_ADMISSION_MIN_EVENTS, "3");
        int width = c.hyperparameters().width();
        RecordingListener listener = new RecordingListener();
        UserTrainerProcessor p = task.start(c, listener);
        KeyValueStore<String, byte[]> store = task.context.getStateStore(Topics.USER_STORE);

        feed(p, List.of(new Event("u1", "i1", 5, 1, 10, 100), new Event("u1", "i2", 1, 1, 11, 101)));
        task.punctuate();
        assertEquals(0, p.usersInMemory(), "two events, below the threshold of 3: no row in memory");
        assertNull(store.get("u1"), "nor in the store");
        assertFalse(task.modelUpdates().containsKey("user:u1"), "nor on model-updates");
        assertEquals(0, listener.admitted.get());
        Map<String, double[]> sent = gradientsSent(task, width);
        assertEquals(Set.of("i1", "i2"), sent.keySet(), "both events still train their items");
        assertEquals(1, sent.get("i1")[0]);
        assertTrue(sent.get("i1")[1] < 0, "a 5 above the mean pushes i1's bias up (a gradient below zero)");
        assertTrue(sent.get("i2")[1] > 0, "a 1 below the mean pushes i2's bias down");
        assertEquals(0, sent.get("i1")[2], "against a zero user row the item factors get no gradient");

        // The third event admits u1: it learns with a row of its own, which the flush saves and publishes.
        task.context.resetForwards();
        feed(p, List.of(new Event("u1", "i1", 4, 1, 12, 102)));
        task.punctuate();
        assertEquals(1, listener.admitted.get());
        assertEquals(1, p.usersInMemory());
        assertNotNull(store.get("u1"));
        assertEquals(1, json(task.modelUpdates().get("user:u1")).get("version").asInt(), "one step: the third event");
        assertTrue(gradientsSent(task, width).get("i1")[2] > 0, "now the item's factors learn from the user's");

        // A restart keeps the counts: u2's first event before it and its second after it do not admit it.
        feed(p, List.of(new Event("u2", "i1", 3, 1, 13, 103)));
        task.punctuate();
        task.commit();
        UserTrainerProcessor restarted = task.start(c, listener);
        feed(restarted, List.of(new Event("u2", "i2", 3, 1, 14, 104)));
        task.punctuate();
        assertNull(store.get("u2"));
        assertEquals(1, listener.admitted.get());
    }

    @Test
    void shouldKeepTheStoreOfAChurningPopulationBoundedByTheTtl() {
        // Each second 20 new users train once and never return; the TTL is 5 s.
        Task bounded = new Task();
        Task free = new Task();
        RecordingListener boundedListener = new RecordingListener();
        UserTrainerProcessor withTtl = bounded.start(
                config(stateDir.resolve("b"), TrainerConfig.BATCH_SIZE, "8", TrainerConfig.ROWS_TTL_MS, "5000"),
                boundedListener);
        UserTrainerProcessor without =
                free.start(config(stateDir.resolve("f"), TrainerConfig.BATCH_SIZE, "8"), new RecordingListener());
        KeyValueStore<String, byte[]> boundedStore = bounded.context.getStateStore(Topics.USER_STORE);
        KeyValueStore<String, byte[]> freeStore = free.context.getStateStore(Topics.USER_STORE);
        int seconds = 60;
        int perSecond = 20;
        long most = 0;
        for (int t = 0; t < seconds; t++) {
            List<Event> events = new java.util.ArrayList<>();
            for (int u = 0; u < perSecond; u++) {
                events.add(new Event("u" + t + "-" + u, "i" + (u % 7), 1 + u % 5, 1, t, t));
            }
            for (Task task : List.of(bounded, free)) {
                task.context.setCurrentSystemTimeMs(StreamFixtures.NOW + t * 1_000L);
            }
            feed(withTtl, events);
            feed(without, events);
            bounded.punctuate();
            free.punctuate();
            most = Math.max(most, boundedStore.approximateNumEntries());
        }
        assertEquals((long) seconds * perSecond, freeStore.approximateNumEntries(), "without a TTL, every user stays");
        // At most the TTL's worth of users, plus those of one sweep interval (a quarter TTL, rounded up to the 2 s
        // at which sweeps land here, on whole seconds), plus the current second.
        long bound = (5 + 2 + 1) * perSecond;
        assertTrue(most <= bound, "store held at most " + bound + " rows, held " + most);
        assertTrue(withTtl.usersInMemory() <= bound, "memory too: " + withTtl.usersInMemory());
        assertEquals(
                (long) seconds * perSecond - boundedStore.approximateNumEntries(),
                boundedListener.expired.get(),
                "every row that left the store was counted (and tombstoned)");
    }

    @Test
    void shouldLogPendingEventsAtEachCommitAndReplayOnlyTheCommittedOnesAfterACrash() {
        TrainerConfig c = config(stateDir, TrainerConfig.BATCH_SIZE, "10");
        Task crashed = new Task();
        UserTrainerProcessor p = crashed.start(c, new RecordingListener());
        feed(p, EVENTS.subList(0, 2));
        crashed.commit();
        feed(p, EVENTS.subList(2, 3));
        assertEquals(3, crashed.pending.size());
        crashed.pending.clearCache();
        assertEquals(2, crashed.pending.size(), "a close without a commit forgets the uncommitted entry");
        // The third event came after the last commit: its input offset was not committed either, so Kafka
        // Streams reads it again after the crash; replaying it from the log as well would count it twice.
        RecordingListener after = new RecordingListener();
        crashed.start(c, after);
        assertEquals(2, crashed.pending.size(), "only the committed events rejoin the batch");
        crashed.punctuate();
        assertEquals(List.of(new RecordingListener.Flush("user", 2)), after.flushes);
        assertEquals(0, crashed.pending.size(), "flushed: nothing pending");
        crashed.commit();
        crashed.start(c, new RecordingListener());
        assertEquals(0, crashed.pending.size(), "the flush deleted the logged events");
    }

    @Test
    void shouldPublishEachChangedRowOnceAnIntervalHoweverManyBatchesTouchedIt() {
        TrainerConfig c = config(stateDir, TrainerConfig.BATCH_SIZE, "1");
        Task task = new Task();
        UserTrainerProcessor p = task.start(c, new RecordingListener());
        feed(p, EVENTS);
        assertTrue(task.modelUpdates().isEmpty(), "three flushes, nothing published before the interval");
        task.punctuate();
        long u1Records = task.context.forwarded().stream()
                .filter(f -> "user:u1".equals(f.record().key()))
                .count();
        assertEquals(1, u1Records, "u1 was stepped twice and published once");
        Map<String, byte[]> rows = task.modelUpdates();
        assertEquals(2, json(rows.get("user:u1")).get("updates").asLong());
        assertEquals(2, json(rows.get("user:u1")).get("version").asInt());
        assertEquals(1, json(rows.get("user:u2")).get("updates").asLong());
        task.context.resetForwards();
        task.punctuate();
        assertTrue(
                task.context.forwarded().stream()
                        .noneMatch(f -> f.childName().orElseThrow().equals(StreamTopology.USER_MODEL_SINK)),
                "nothing changed since: nothing published");
    }

    @Test
    void shouldPublishAfterARestartTheRowsSavedButNotPublishedBeforeACrash() {
        TrainerConfig c = config(stateDir, TrainerConfig.BATCH_SIZE, "1");
        Task task = new Task();
        feed(task.start(c, new RecordingListener()), EVENTS);
        task.punctuate();
        // A crash after the rows were saved and before their publication: the stores hold the saved rows and the
        // marker (the same transaction wrote both), model-updates (as far as the global store read it) u2's
        // current version and an older one of u1.
        KeyValueStore<String, byte[]> state = task.context.getStateStore(Role.USER.taskStateStore());
        state.put(UserTrainerProcessor.UNPUBLISHED_KEY, new byte[] {1});
        task.context.resetForwards();
        KeyValueStore<String, byte[]> global = task.context.getStateStore(Topics.GLOBAL_ROWS_STORE);
        global.put("user:u2", ModelUpdates.row(RowKind.USER, "u2", new float[5], 0, 5, 1, 1, 1L));
        global.put("user:u1", ModelUpdates.row(RowKind.USER, "u1", new float[5], 0, 5, 1, 1, 1L));
        assertTrue(task.modelUpdates().isEmpty());

        task.start(c, new RecordingListener());
        task.punctuate();
        Map<String, byte[]> republished = task.modelUpdates();
        assertEquals(
                Set.of("user:u1", "mean:0"), republished.keySet(), "only the row whose published version is behind");
        assertEquals(2, json(republished.get("user:u1")).get("version").asInt());
        assertEquals(2, json(republished.get("user:u1")).get("updates").asLong());

        // Published: a further restart has nothing to look for.
        task.context.resetForwards();
        task.start(c, new RecordingListener());
        task.punctuate();
        assertTrue(task.modelUpdates().isEmpty());
    }

    @Test
    void shouldResumeTheGlobalMeanAndRowsFromTheStoresAfterARestart() {
        TrainerConfig c = config(stateDir, TrainerConfig.BATCH_SIZE, "3");
        Task task = new Task();
        feed(task.start(c, new RecordingListener()), EVENTS);
        task.punctuate();
        task.context.resetForwards();

        RecordingListener after = new RecordingListener();
        UserTrainerProcessor restarted = task.start(c, after);
        feed(
                restarted,
                List.of(
                        new Event("u9", "i9", 1, 1, 13, 103),
                        new Event("u1", "i9", 1, 1, 14, 104),
                        new Event("u2", "i9", 1, 1, 15, 105)));
        assertTrue(task.modelUpdates().isEmpty(), "rows are published on the interval, not on every mini-batch");
        task.punctuate();
        assertEquals(
                11.0 / 3,
                after.prequential.get(0).prediction(),
                1e-12,
                "the mean of the first batch, from the task state");
        Map<String, byte[]> rows = task.modelUpdates();
        assertEquals(3, json(rows.get("user:u1")).get("updates").asLong(), "u1 continues from its stored row");
        assertEquals(3, json(rows.get("user:u1")).get("version").asInt(), "one step per event");
        assertArrayEquals(new double[] {14, 6}, ModelUpdates.parseMean(rows.get("mean:0")), 1e-9);
    }
}
