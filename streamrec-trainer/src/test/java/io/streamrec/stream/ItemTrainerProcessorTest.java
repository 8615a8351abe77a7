package io.streamrec.stream;

import static io.streamrec.stream.StreamFixtures.config;
import static io.streamrec.stream.StreamFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.learn.ResidualBasis;
import io.streamrec.model.ModelUpdates;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The item trainer alone: one step per gradient batch, its flush, and pending gradients across a restart. */
class ItemTrainerProcessorTest {
    @TempDir
    Path stateDir;

    private final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();

    {
        context.setCurrentSystemTimeMs(StreamFixtures.NOW);
    }

    private <S extends org.apache.kafka.streams.processor.StateStore> S store(StoreBuilder<S> b) {
        S s = b.withLoggingDisabled().build();
        s.init(context.getStateStoreContext(), s);
        context.addStateStore(s);
        return s;
    }

    /** What Kafka Streams does to the pending log right before it commits the task. */
    private void commit() {
        ((PendingLog) context.getStateStore(Topics.ITEM_PENDING_STORE)).flushCache();
    }

    private ItemTrainerProcessor start(TrainerConfig c, TrainerListener l) {
        if (context.getStateStore(Topics.ITEM_STORE) == null) {
            store(Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(Topics.ITEM_STORE), Serdes.String(), Serdes.ByteArray()));
            store(PendingLog.builder(Topics.ITEM_PENDING_STORE));
            store(Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(Role.ITEM.taskStateStore()), Serdes.String(), Serdes.ByteArray()));
            store(Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore(Topics.GLOBAL_ROWS_STORE), Serdes.String(), Serdes.ByteArray()));
        }
        ItemTrainerProcessor p = new ItemTrainerProcessor(
                c, l, new PublishedRows(c.hyperparameters().width()));
        p.init(context);
        return p;
    }

    private static Record<Integer, byte[]> gradient(String item, int events, float... g) {
        Codecs.GradientBatchWriter w = new Codecs.GradientBatchWriter(g.length);
        w.add(item, events, 100L, g, 0);
        return new Record<>(0, w.toByteArray(), 0L);
    }

    private Map<String, byte[]> published() {
        Map<String, byte[]> out = new TreeMap<>();
        context.forwarded().forEach(f -> {
            if (f.childName().orElseThrow().equals(StreamTopology.ITEM_MODEL_SINK)) {
                out.put(f.record().key(), f.record().value());
            }
        });
        return out;
    }

    @Test
    void shouldApplyPendingGradientsAfterARestartOnItsFlush() {
        TrainerConfig c = config(stateDir, TrainerConfig.ITEM_BATCH_SIZE, "100");
        ItemTrainerProcessor crashed = start(c, new RecordingListener());
        crashed.process(gradient("i1", 2, 0.5f, 0, 0, 0, 0));
        crashed.process(gradient("i1", 1, 0.25f, 0, 0, 0, 0));
        crashed.process(gradient("i2", 3, -1f, 0, 0, 0, 0));
        commit();
        assertTrue(context.forwarded().isEmpty(), "below item.batch.size: nothing applied yet");

        RecordingListener after = new RecordingListener();
        start(c, after);
        List<MockProcessorContext.CapturedPunctuator> ps = context.scheduledPunctuators();
        ps.get(ps.size() - 1).getPunctuator().punctuate(0L);
        Map<String, byte[]> rows = published();
        assertEquals(3, json(rows.get("item:i1")).get("updates").asLong(), "3 events behind i1 gradients");
        assertEquals(2, json(rows.get("item:i1")).get("version").asInt(), "one step per user mini-batch, as offline");
        assertEquals(3, json(rows.get("item:i2")).get("updates").asLong());
        assertTrue(json(rows.get("item:i1")).get("bias").asDouble() < 0, "a positive gradient lowers the bias");
        assertTrue(json(rows.get("item:i2")).get("bias").asDouble() > 0);
        assertEquals(List.of(new RecordingListener.Flush("item", 6)), after.flushes);
    }

    /**
     * With the residual neighbourhood, a new basis republishes the task's rows in it, untrained since or not, so that
     * clients find every basis item's coordinates in one basis.
     */
    @Test
    void shouldRepublishItsBasisItemsWithTheirCoordinatesAtANewBasis() {
        TrainerConfig c = config(stateDir, TrainerConfig.NEIGHBOURHOOD, "true");
        int width = c.hyperparameters().width();
        ResidualBasis basis = new ResidualBasis(42);
        trainItems(startWithBasis(c, basis), 40, width);
        publish(0L);
        JsonNode before = json(published().get("item:i0"));
        assertEquals(c.publishedWidth() - 1, before.get("factors").size());
        assertEquals(1.0, before.get("factors").get(width - 1).asDouble(), "the tail starts with 1");
        assertEquals(0.0, before.get("factors").get(width).asDouble(), "no basis yet");
        context.resetForwards();

        learnABasis(basis, 40);
        publish(1L);

        Map<String, byte[]> again = published();
        assertEquals(40, again.size(), "every basis item again, none trained since");
        assertTrue(tail(json(again.get("item:i0")), c) > 0, "with its coordinates in the new basis");
        context.resetForwards();
        publish(2L);
        assertTrue(published().isEmpty(), "once per basis");
    }

    /**
     * A task started again holds its rows in its store, not in memory: a new basis still republishes every basis item
     * the task owns, loaded from the store, and none of another task's.
     */
    @Test
    void shouldRepublishBasisItemsFromItsStoreAfterARestart() {
        TrainerConfig c = config(stateDir, TrainerConfig.NEIGHBOURHOOD, "true");
        ResidualBasis basis = new ResidualBasis(42);
        trainItems(startWithBasis(c, basis), 30, c.hyperparameters().width());
        publish(0L);
        assertEquals(30, published().size());
        context.resetForwards();

        startWithBasis(c, basis);
        learnABasis(basis, 40); // i30..i39 belong to another task: this one never trained them
        assertEquals(40, basis.current().size());
        publish(1L);

        Map<String, byte[]> again = published();
        assertEquals(30, again.size(), "this task's basis items, from its store: " + again.keySet());
        assertFalse(again.containsKey("item:i35"), "not another task's");
        JsonNode i0 = json(again.get("item:i0"));
        assertEquals(1, i0.get("updates").asLong(), "the row as trained before the restart, not a new one");
        assertTrue(tail(i0, c) > 0, "with its coordinates in the new basis");
    }

    /** An item task with the residual basis {@code basis}, on the test's stores (made on first use). */
    private ItemTrainerProcessor startWithBasis(TrainerConfig c, ResidualBasis basis) {
        if (context.getStateStore(Topics.ITEM_STORE) == null) {
            start(c, new RecordingListener());
        }
        ItemTrainerProcessor p = new ItemTrainerProcessor(
                c,
                new RecordingListener(),
                new PublishedRows(c.hyperparameters().width(), c.publishedWidth()),
                basis::current);
        p.init(context);
        return p;
    }

    /** One gradient of one event for each of items i0 .. i(n-1). */
    private static void trainItems(ItemTrainerProcessor p, int n, int width) {
        float[] g = new float[width];
        g[0] = 0.5f;
        for (int i = 0; i < n; i++) {
            p.process(gradient("i" + i, 1, g));
        }
    }

    /** Runs the latest task's flush and publication at stream time {@code t}. */
    private void publish(long t) {
        List<MockProcessorContext.CapturedPunctuator> ps = context.scheduledPunctuators();
        ps.get(ps.size() - 1).getPunctuator().punctuate(t);
    }

    /** Residuals of two groups of users on items i0 .. i(items-1), until the basis computes its first basis. */
    private static void learnABasis(ResidualBasis basis, int items) {
        java.util.Random random = new java.util.Random(1);
        while (basis.current() == null) {
            int u = random.nextInt(100);
            int i = random.nextInt(items);
            basis.observe("u" + u, "i" + i, (u % 2 == i % 2 ? 1 : -1) + 0.1 * random.nextGaussian());
        }
    }

    /** The summed magnitude of a published item row's basis coordinates (its tail past the leading 1). */
    private static double tail(JsonNode row, TrainerConfig c) {
        double y = 0;
        for (int f = c.hyperparameters().width(); f < c.publishedWidth() - 1; f++) {
            y += Math.abs(row.get("factors").get(f).asDouble());
        }
        return y;
    }

    @Test
    void shouldAskForACommitRightAfterEachPublicationOnTheEpochsPhase() {
        ItemTrainerProcessor p = start(config(stateDir), new RecordingListener());
        p.process(gradient("i1", 2, 0.5f, 0, 0, 0, 0));
        MockProcessorContext.CapturedPunctuator flush =
                context.scheduledPunctuators().get(0);
        assertEquals(java.time.Instant.EPOCH, flush.getStartTime(), "the user tasks' phase: one commit per thread");
        assertFalse(context.committed());
        flush.getPunctuator().punctuate(0L);
        assertTrue(published().containsKey("item:i1"));
        assertTrue(context.committed(), "the published rows become visible at once, not at the commit timer");
    }

    /** The gate on, items stepped at every gradient, a learning rate a thousand times the default, and {@code key}. */
    private TrainerConfig rateTooHigh(String key, String value) {
        return config(
                stateDir,
                TrainerConfig.LEARNING_RATE,
                "300",
                GateConfig.ENABLED,
                "true",
                TrainerConfig.ITEM_BATCH_SIZE,
                "1",
                key,
                value);
    }

    @Test
    void shouldKeepAnExplodedItemRowOutOfModelUpdatesWhenTheGateIsOn() {
        // A learning rate a thousand times the default: i1's gradient moves its row by hundreds, i2's (zero) does not.
        ItemTrainerProcessor p = start(rateTooHigh(GateConfig.NORM_FACTOR, "10"), new RecordingListener());
        p.process(gradient("i1", 2, 5f, 5f, 5f, 5f, 5f));
        p.process(gradient("i2", 1, 0f, 0f, 0f, 0f, 0f));
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(0L);
        assertEquals(
                java.util.Set.of("item:i2"), published().keySet(), "the exploded row keeps its last published one");

        // With the check off, the same row is published.
        context.resetForwards();
        ItemTrainerProcessor q = start(rateTooHigh(GateConfig.NORM_FACTOR, "0"), new RecordingListener());
        q.process(gradient("i1", 2, 5f, 5f, 5f, 5f, 5f));
        List<MockProcessorContext.CapturedPunctuator> ps = context.scheduledPunctuators();
        ps.get(ps.size() - 1).getPunctuator().punctuate(0L);
        assertTrue(published().containsKey("item:i1"), published().keySet().toString());
    }

    @Test
    void shouldPublishAfterARestartTheRowsSavedButNotPublishedBeforeACrash() {
        TrainerConfig c = config(stateDir, TrainerConfig.ITEM_BATCH_SIZE, "1");
        ItemTrainerProcessor crashed = start(c, new RecordingListener());
        crashed.process(gradient("i1", 2, 0.5f, 0, 0, 0, 0));
        crashed.process(gradient("i2", 1, -1f, 0, 0, 0, 0));
        assertTrue(published().isEmpty(), "saved at item.batch.size, crashed before the interval's publication");
        KeyValueStore<String, byte[]> global = context.getStateStore(Topics.GLOBAL_ROWS_STORE);
        // i2's saved version reached model-updates; i1's did not.
        global.put("item:i2", ModelUpdates.row(io.streamrec.model.RowKind.ITEM, "i2", new float[5], 0, 5, 1, 1, 1L));

        start(c, new RecordingListener());
        List<MockProcessorContext.CapturedPunctuator> ps = context.scheduledPunctuators();
        ps.get(ps.size() - 1).getPunctuator().punctuate(0L);
        Map<String, byte[]> rows = published();
        assertEquals(java.util.Set.of("item:i1"), rows.keySet(), "only the row whose published version is behind");
        assertEquals(2, json(rows.get("item:i1")).get("updates").asLong());
        assertTrue(json(rows.get("item:i1")).get("bias").asDouble() < 0, "the saved step, not an initial row");

        context.resetForwards();
        start(c, new RecordingListener());
        ps = context.scheduledPunctuators();
        ps.get(ps.size() - 1).getPunctuator().punctuate(0L);
        assertTrue(published().isEmpty(), "published: a further restart has nothing to look for");
    }

    @Test
    void shouldRefuseAGradientOfAnotherWidthWithAMessageAboutTheFactors() {
        ItemTrainerProcessor p = start(config(stateDir), new RecordingListener());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.process(gradient("i1", 1, 1f, 2f)));
        assertTrue(e.getMessage().contains("application.id"), e.getMessage());
    }
}
