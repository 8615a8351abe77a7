package io.streamrec.stream;

import static io.streamrec.stream.StreamFixtures.config;
import static io.streamrec.stream.StreamFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * The gate inside the user trainer, over in-memory stores kept across "restarts" (a new processor over the stores
 * the changelogs would restore, as in {@link UserTrainerProcessorTest}): a closed gate withholds every changed row,
 * survives a restart closed, and rolls back after {@code gate.rollback.ms}.
 */
class UserTrainerGateTest {
    private static final long ROLLBACK_MS = 60_000;

    @TempDir
    Path stateDir;

    private final MockProcessorContext<Object, byte[]> context = new MockProcessorContext<>();
    private KeyValueStore<String, byte[]> taskState;
    /** The item rows of model-updates as the global thread holds them; a fresh empty set when null. */
    private PublishedRows published;

    private PendingLog pending;

    private void stores() {
        context.setCurrentSystemTimeMs(StreamFixtures.NOW);
        store(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Topics.USER_STORE), Serdes.String(), Serdes.ByteArray()));
        pending = store(PendingLog.builder(Topics.USER_PENDING_STORE));
        taskState = store(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Role.USER.taskStateStore()), Serdes.String(), Serdes.ByteArray()));
        store(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(Topics.GLOBAL_ROWS_STORE), Serdes.String(), Serdes.ByteArray()));
    }

    private <S extends StateStore> S store(StoreBuilder<S> b) {
        S s = b.withLoggingDisabled().build();
        s.init(context.getStateStoreContext(), s);
        context.addStateStore(s);
        return s;
    }

    private UserTrainerProcessor start(RecordingListener l) {
        return start(
                l,
                Double.toString(
                        Hyperparameters.defaults(ModelKind.BIASED_MF).schedule().rate(0)));
    }

    private UserTrainerProcessor start(RecordingListener l, String learningRate, String... more) {
        List<String> keyValues = new ArrayList<>(List.of(
                TrainerConfig.BATCH_SIZE,
                "10",
                TrainerConfig.LEARNING_RATE,
                learningRate,
                GateConfig.ENABLED,
                "true",
                GateConfig.ROLLBACK_MS,
                Long.toString(ROLLBACK_MS)));
        keyValues.addAll(List.of(more));
        TrainerConfig c = config(stateDir, keyValues.toArray(String[]::new));
        UserTrainerProcessor p = new UserTrainerProcessor(
                c,
                l,
                published != null
                        ? published
                        : new PublishedRows(c.hyperparameters().width()));
        p.init(context);
        return p;
    }

    private void punctuate() {
        List<MockProcessorContext.CapturedPunctuator> ps = context.scheduledPunctuators();
        ps.get(ps.size() - 1).getPunctuator().punctuate(context.currentSystemTimeMs());
    }

    private Map<String, byte[]> modelUpdates() {
        Map<String, byte[]> out = new TreeMap<>();
        for (CapturedForward<?, ? extends byte[]> f : context.forwarded()) {
            if (f.childName().orElseThrow().equals(StreamTopology.USER_MODEL_SINK)) {
                out.put((String) f.record().key(), f.record().value());
            }
        }
        return out;
    }

    private static List<Event> events(int n, int from) {
        List<Event> out = new ArrayList<>();
        for (int k = from; k < from + n; k++) {
            out.add(new Event("u" + (k % 3), "i" + (k % 5), 1 + k % 5, 1, 1000 + k, 100 + k));
        }
        return out;
    }

    private static void feed(UserTrainerProcessor p, List<Event> events) {
        for (Event e : events) {
            p.process(new Record<>(e.user(), e, e.ingestTime()));
        }
    }

    private static boolean anyRow(Map<String, byte[]> updates) {
        return updates.keySet().stream().anyMatch(k -> k.startsWith("user:") || k.startsWith("mean:"));
    }

    @Test
    void shouldWithholdRowsWhileClosedStayClosedAcrossARestartAndRollBackAfterTheTimeout() {
        stores();
        // The task closed its gate before the crash: the state the changelog restores.
        taskState.put(
                PublicationGate.stateKey(),
                PublicationGate.encodeState(false, "quality", StreamFixtures.NOW, 1, 0, 0, false));
        RecordingListener l = new RecordingListener();
        feed(start(l), events(40, 0));
        punctuate();
        Map<String, byte[]> first = modelUpdates();
        assertFalse(anyRow(first), "no row or label sum is published while the gate is closed: " + first.keySet());
        JsonNode gate = json(first.get("gate:0"));
        assertFalse(gate.get("open").asBoolean());
        assertEquals("quality", gate.get("reason").asText());
        assertEquals(1, gate.get("closures").asLong());

        // A restart while closed: the new processor over the same stores still withholds everything.
        pending.flushCache();
        context.resetForwards();
        feed(start(new RecordingListener()), events(40, 40));
        punctuate();
        assertFalse(anyRow(modelUpdates()), "still closed after the restart");

        // Closed for longer than gate.rollback.ms: the rows go back to the published model (none: nothing of them
        // was ever accepted), the gate opens, and nothing rejected is published.
        context.resetForwards();
        context.setCurrentSystemTimeMs(StreamFixtures.NOW + ROLLBACK_MS + 1);
        punctuate();
        Map<String, byte[]> rolledBack = modelUpdates();
        assertFalse(
                rolledBack.keySet().stream().anyMatch(k -> k.startsWith("user:")),
                rolledBack.keySet().toString());
        JsonNode open = json(rolledBack.get("gate:0"));
        assertTrue(open.get("open").asBoolean());
        assertEquals(1, open.get("rollbacks").asLong());

        // Training goes on from the rolled-back rows and is published again.
        context.resetForwards();
        feed(start(new RecordingListener()), events(40, 80));
        punctuate();
        Map<String, byte[]> after = modelUpdates();
        assertTrue(after.containsKey("user:u0"), after.keySet().toString());
        assertTrue(json(after.get("user:u0")).get("updates").asLong() <= 14, "only events after the rollback count");
    }

    @Test
    void shouldReadTheGateStateAnEarlierVersionSaved() {
        stores();
        // Six fields, before the quarantine flag was saved; and no window, label history or norm bound.
        taskState.put(
                PublicationGate.stateKey(),
                ("false,quality," + StreamFixtures.NOW + ",2,1,5").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        feed(start(new RecordingListener()), events(40, 0));
        punctuate();
        Map<String, byte[]> updates = modelUpdates();
        assertFalse(anyRow(updates), updates.keySet().toString());
        JsonNode gate = json(updates.get("gate:0"));
        assertFalse(gate.get("open").asBoolean());
        assertEquals(2, gate.get("closures").asLong());
        assertEquals(1, gate.get("rollbacks").asLong());
        assertEquals(5, gate.get("quarantined").asLong());
    }

    @Test
    void shouldWithholdExplodedRowsOfALearningRateSetFarTooHigh() {
        stores();
        // "A learning rate set too high in a deploy": the same events at the default rate, then at 1,000 times it.
        feed(start(new RecordingListener()), events(40, 0));
        punctuate();
        Map<String, byte[]> healthy = modelUpdates();
        assertTrue(healthy.containsKey("user:u0"), healthy.keySet().toString());
        assertEquals("none", json(healthy.get("gate:0")).get("reason").asText());

        context.resetForwards();
        String tooHigh = Double.toString(
                1000 * Hyperparameters.defaults(ModelKind.BIASED_MF).schedule().rate(0));
        feed(start(new RecordingListener(), tooHigh), events(40, 40));
        punctuate();
        Map<String, byte[]> exploded = modelUpdates();
        JsonNode gate = json(exploded.get("gate:0"));
        assertFalse(gate.get("open").asBoolean(), gate.toString());
        assertEquals("norm", gate.get("reason").asText(), "finite rows, far larger than the accepted ones");
        assertFalse(anyRow(exploded), "no exploded row is published: " + exploded.keySet());
    }

    /**
     * Ratings that follow the items' quality (item k's labels around 1 + k % 5), 40 users in runs of four; flipped
     * (6 - label) from {@code flipFrom} on.
     */
    private static List<Event> rated(int n, int from, int flipFrom) {
        java.util.Random rnd = new java.util.Random(from);
        List<Event> out = new ArrayList<>();
        for (int k = from; k < from + n; k++) {
            int item = rnd.nextInt(50);
            float label = Math.max(1, Math.min(5, 1 + item % 5 + (float) rnd.nextGaussian() * 0.5f));
            out.add(new Event("u" + (k / 4) % 40, "i" + item, k >= flipFrom ? 6 - label : label, 1, 1000 + k, 100 + k));
        }
        return out;
    }

    /** Feeds the events with a publication interval every 100 of them. */
    private void feedInIntervals(UserTrainerProcessor p, List<Event> events) {
        for (int k = 0; k < events.size(); k += 100) {
            feed(p, events.subList(k, Math.min(events.size(), k + 100)));
            context.setCurrentSystemTimeMs(context.currentSystemTimeMs() + 150);
            punctuate();
        }
    }

    @Test
    void shouldKeepQuarantiningAnAttackAcrossARestart() {
        stores();
        // The item tasks' published rows: item k's bias is its quality, 1 + k % 5, about the mean 3.
        published = new PublishedRows(5);
        for (int k = 0; k < 50; k++) {
            float[] row = {k % 5 - 2f, 0, 0, 0, 0};
            published.update(
                    ModelKeys.row(RowKind.ITEM, "i" + k),
                    ModelUpdates.row(RowKind.ITEM, "i" + k, row, 0, 5, 1, 1, StreamFixtures.NOW));
        }
        String[] labelCheck = {GateConfig.LABEL_EVENTS, "50"}; // 50 recent events against 500 of history
        String rate = Double.toString(
                Hyperparameters.defaults(ModelKind.BIASED_MF).schedule().rate(0));
        RecordingListener l = new RecordingListener();
        UserTrainerProcessor p = start(l, rate, labelCheck);
        feedInIntervals(p, rated(3_000, 0, Integer.MAX_VALUE));
        assertEquals(0, l.quarantined.get(), "a clean stream is not quarantined");
        feedInIntervals(p, rated(600, 3_000, 3_000));
        assertTrue(l.quarantined.get() > 0, "the flip is found before the restart");
        JsonNode closed = json(modelUpdates().get("gate:0"));
        assertEquals("labels", closed.get("reason").asText(), closed.toString());

        // A restart during the attack: the task must not train on what it had found suspect.
        pending.flushCache();
        context.resetForwards();
        RecordingListener after = new RecordingListener();
        feedInIntervals(start(after, rate, labelCheck), rated(1_000, 3_600, 3_000));
        assertTrue(after.heldOut.get() > 0);
        assertEquals(
                after.trained.get() - after.heldOut.get(),
                after.quarantined.get(),
                "every attacked event after the restart is quarantined (none trained)");
        assertFalse(json(modelUpdates().get("gate:0")).get("open").asBoolean());

        // The stream turns clean again: once the restored history agrees with the recent labels, training resumes.
        RecordingListener clean = new RecordingListener();
        context.resetForwards();
        feedInIntervals(start(clean, rate, labelCheck), rated(1_000, 4_600, Integer.MAX_VALUE));
        assertTrue(
                clean.trained.get() - clean.heldOut.get() - clean.quarantined.get() > 500,
                "trained " + (clean.trained.get() - clean.heldOut.get() - clean.quarantined.get()));
    }
}
