package io.streamrec.stream;

import io.streamrec.learn.FactorTable;
import io.streamrec.learn.FismState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A user task's fism state in its changelogged task-state store, saved at each flush with the user rows, so that a
 * restart (or a crash: the events since the flush are learned again) goes on from the same context vectors and the
 * same users' sums and histories.
 *
 * <p>Keys and values, one record each:
 *
 * <ul>
 *   <li>{@code fism-y:<item id>}: the item's context vector as this task learned it, {@code k} big-endian floats.
 *       Written when it stepped since the last flush; all read back when the task starts.
 *   <li>{@code fism-u:<user id>}: an int count of the distinct items the user's sum took, {@code k} floats of the
 *       sum, an int history length, then each history item id as an int byte length and UTF-8 bytes, oldest first.
 *       Written when the user learned since the last flush; read back at the user's next event after a start or
 *       after the user's row left memory; deleted with an expired row (an empty value when the seed holds the user,
 *       so that the seed's state does not come back).
 * </ul>
 *
 * <p>A trainer started from a fism snapshot finds the same records in the {@code fism-seed} global store
 * ({@link FismSeed}): the task starts from the seed's context vectors, its own saved ones over them, and a user the
 * task has not saved yet starts from the seed's sum and history.
 *
 * <p>State: one instance per user task, used by its stream thread only.
 */
final class FismTaskState {
    static final String CONTEXT_PREFIX = "fism-y:";
    static final String USER_PREFIX = "fism-u:";

    private final KeyValueStore<String, byte[]> store;
    /** The {@code fism-seed} global store; null when the topology has none (tests of one processor). */
    private final KeyValueStore<String, byte[]> seed;

    private final FismState state;
    private final FactorTable users;
    private final FactorTable itemTable;
    private final LocalItems items;
    private final int width;

    FismTaskState(
            KeyValueStore<String, byte[]> store,
            KeyValueStore<String, byte[]> seed,
            FismState state,
            FactorTable users,
            FactorTable itemTable,
            LocalItems items) {
        this.store = store;
        this.seed = seed;
        this.state = state;
        this.users = users;
        this.itemTable = itemTable;
        this.items = items;
        this.width = itemTable.width();
    }

    /** Reads every context vector back (the task's start): the seed's, then those this task saved over them. */
    void restoreContexts() {
        if (seed != null) {
            restoreContexts(seed);
        }
        restoreContexts(store);
    }

    private void restoreContexts(KeyValueStore<String, byte[]> from) {
        try (KeyValueIterator<String, byte[]> it = from.prefixScan(CONTEXT_PREFIX, new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                int row = items.row(kv.key.substring(CONTEXT_PREFIX.length()), true);
                state.setContext(row, decodeContext(kv.value, width), itemTable);
            }
        }
    }

    /** Makes sure the state of the user about to learn is in memory: restored if saved or seeded, else empty. */
    void load(String user) {
        if (state.find(user) != null) {
            return;
        }
        byte[] v = store.get(USER_PREFIX + user);
        if (v == null && seed != null) {
            v = seed.get(USER_PREFIX + user);
        }
        if (v == null || v.length == 0) {
            return;
        }
        SavedUser saved = decodeUser(v, width);
        int[] history = new int[saved.items().length];
        for (int h = 0; h < history.length; h++) {
            history[h] = items.row(saved.items()[h], true);
        }
        state.restore(user, saved.count(), saved.sum(), history);
    }

    /** A saved {@code fism-u:} value. */
    record SavedUser(int count, float[] sum, String[] items) {}

    static SavedUser decodeUser(byte[] v, int width) {
        ByteBuffer b = ByteBuffer.wrap(v);
        int count = b.getInt();
        float[] sum = new float[width];
        for (int f = 1; f < width; f++) {
            sum[f] = b.getFloat();
        }
        String[] items = new String[b.getInt()];
        for (int h = 0; h < items.length; h++) {
            byte[] id = new byte[b.getInt()];
            b.get(id);
            items[h] = new String(id, StandardCharsets.UTF_8);
        }
        return new SavedUser(count, sum, items);
    }

    /** Saves the users of {@code rows} (user rows that learned since the last flush) and the changed context vectors. */
    void save(RowSet rows) {
        for (int k = 0; k < rows.size(); k++) {
            String id = users.id(rows.get(k));
            FismState.User s = state.find(id);
            if (s != null) {
                store.put(USER_PREFIX + id, encodeUser(s, itemTable, width));
            }
        }
        state.drainChangedContexts(
                row -> store.put(CONTEXT_PREFIX + itemTable.id(row), encodeContext(state.context(row), width)));
    }

    /** Forgets the users whose rows left memory (they were saved at the flush before). */
    void retainLoaded() {
        state.retainUsers(id -> users.indexOf(id) >= 0);
    }

    /** Deletes the state of expired users, as their rows are; a seeded user is marked so as not to come back. */
    void expire(Collection<String> ids) {
        for (String id : ids) {
            state.drop(id);
            if (seed != null && seed.get(USER_PREFIX + id) != null) {
                store.put(USER_PREFIX + id, new byte[0]);
            } else {
                store.delete(USER_PREFIX + id);
            }
        }
    }

    /** A {@code fism-y:} value: the context vector's {@code width - 1} floats (slot 0 unused). */
    static byte[] encodeContext(float[] y, int width) {
        ByteBuffer b = ByteBuffer.allocate(4 * (width - 1));
        for (int f = 1; f < width; f++) {
            b.putFloat(y[f]);
        }
        return b.array();
    }

    static float[] decodeContext(byte[] v, int width) {
        ByteBuffer b = ByteBuffer.wrap(v);
        float[] y = new float[width];
        for (int f = 1; f < width; f++) {
            y[f] = b.getFloat();
        }
        return y;
    }

    /** A {@code fism-u:} value; {@code items} names the history's item rows. */
    static byte[] encodeUser(FismState.User s, FactorTable items, int width) {
        int[] history = s.items();
        byte[][] ids = new byte[history.length][];
        int bytes = 4 + 4 * (width - 1) + 4;
        for (int h = 0; h < history.length; h++) {
            ids[h] = items.id(history[h]).getBytes(StandardCharsets.UTF_8);
            bytes += 4 + ids[h].length;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes);
        b.putInt(s.count());
        float[] sum = s.sum();
        for (int f = 1; f < width; f++) {
            b.putFloat(sum[f]);
        }
        b.putInt(history.length);
        for (byte[] id : ids) {
            b.putInt(id.length);
            b.put(id);
        }
        return b.array();
    }
}
