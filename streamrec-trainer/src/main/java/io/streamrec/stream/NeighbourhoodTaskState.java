package io.streamrec.stream;

import io.streamrec.learn.FactorTable;
import io.streamrec.learn.ResidualNeighbourhood;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A user task's residual-neighbourhood state in its changelogged {@code user-neighbourhood} store, saved at each
 * flush with the user rows, so that a restart, a rebalance or a crash goes on from the same users' levels and
 * histories and the same fit. (The basis is the basis task's, saved in its own store.)
 *
 * <p>Keys and values:
 *
 * <ul>
 *   <li>{@code nb-u:<user id>}: a format byte (1), the user's events learned (int), the level features (4 doubles),
 *       s_u ({@code RANK} doubles) and m_u (int), then the history's length (int) and each entry's item id (int byte
 *       length, UTF-8) and label (float), oldest first. Written when the user learned since the last flush; read
 *       back at the user's next event after a start or after the user's row left memory; deleted with an expired
 *       row.
 *   <li>{@code nb-fit}: a format byte (1) and the task's fit statistics ({@link ResidualNeighbourhood#fitSums}, as
 *       doubles). Written at each flush.
 * </ul>
 *
 * <p>State: one instance per user task, used by its stream thread only.
 */
final class NeighbourhoodTaskState {
    static final String USER_PREFIX = "nb-u:";
    static final String FIT_KEY = "nb-fit";
    private static final byte FORMAT = 1;

    private final KeyValueStore<String, byte[]> store;
    private final ResidualNeighbourhood layer;
    private final FactorTable users;
    private final FactorTable itemTable;
    private final LocalItems items;

    NeighbourhoodTaskState(
            KeyValueStore<String, byte[]> store,
            ResidualNeighbourhood layer,
            FactorTable users,
            FactorTable itemTable,
            LocalItems items) {
        this.store = store;
        this.layer = layer;
        this.users = users;
        this.itemTable = itemTable;
        this.items = items;
    }

    /** Reads the fit back (the task's start). */
    void restoreFit() {
        byte[] v = store.get(FIT_KEY);
        if (v != null) {
            ByteBuffer b = ByteBuffer.wrap(v);
            Codecs.check(b.get(), FORMAT, "neighbourhood fit");
            double[] sums = new double[b.remaining() / 8];
            for (int k = 0; k < sums.length; k++) {
                sums[k] = b.getDouble();
            }
            layer.restoreFit(sums);
        }
    }

    /** Makes sure the state of a user about to be predicted is in memory: restored if saved, else none. */
    void load(String user) {
        if (layer.knows(user)) {
            return;
        }
        byte[] v = store.get(USER_PREFIX + user);
        if (v != null) {
            layer.restore(user, decodeUser(v));
        }
    }

    /** Saves the users of {@code rows} (user rows that learned since the last flush) and the fit. */
    void save(RowSet rows) {
        for (int k = 0; k < rows.size(); k++) {
            String id = users.id(rows.get(k));
            ResidualNeighbourhood.SavedUser s = layer.save(id);
            if (s != null) {
                store.put(USER_PREFIX + id, encodeUser(s));
            }
        }
        double[] sums = layer.fitSums();
        ByteBuffer b = ByteBuffer.allocate(1 + 8 * sums.length).put(FORMAT);
        for (double x : sums) {
            b.putDouble(x);
        }
        store.put(FIT_KEY, b.array());
    }

    /** Forgets the users whose rows left memory (they were saved at the flush before). */
    void retainLoaded() {
        layer.retainUsers(id -> users.indexOf(id) >= 0);
    }

    /**
     * Deletes the saved state of expired users, as their rows are; their state in memory goes with the next
     * {@link #retainLoaded}, which the task runs after every sweep that expired rows.
     */
    void expire(Collection<String> ids) {
        for (String id : ids) {
            store.delete(USER_PREFIX + id);
        }
    }

    byte[] encodeUser(ResidualNeighbourhood.SavedUser s) {
        byte[][] ids = new byte[s.items().length][];
        int bytes = 1 + 4 + 8 * s.level().length + 8 * s.vector().length + 4 + 4;
        for (int h = 0; h < ids.length; h++) {
            ids[h] = itemTable.id(s.items()[h]).getBytes(StandardCharsets.UTF_8);
            bytes += 4 + ids[h].length + 4;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes).put(FORMAT).putInt(s.events());
        for (double x : s.level()) {
            b.putDouble(x);
        }
        for (double x : s.vector()) {
            b.putDouble(x);
        }
        b.putInt(s.inBasis()).putInt(ids.length);
        for (int h = 0; h < ids.length; h++) {
            b.putInt(ids[h].length).put(ids[h]).putFloat(s.labels()[h]);
        }
        return b.array();
    }

    ResidualNeighbourhood.SavedUser decodeUser(byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        Codecs.check(b.get(), FORMAT, "neighbourhood user");
        int events = b.getInt();
        double[] level = new double[ResidualNeighbourhood.LEVELS];
        for (int f = 0; f < level.length; f++) {
            level[f] = b.getDouble();
        }
        double[] vector = new double[io.streamrec.learn.ResidualBasis.RANK];
        for (int c = 0; c < vector.length; c++) {
            vector[c] = b.getDouble();
        }
        int inBasis = b.getInt();
        int n = b.getInt();
        int[] history = new int[n];
        float[] labels = new float[n];
        for (int h = 0; h < n; h++) {
            byte[] id = new byte[b.getInt()];
            b.get(id);
            history[h] = items.row(new String(id, StandardCharsets.UTF_8), true);
            labels[h] = b.getFloat();
        }
        return new ResidualNeighbourhood.SavedUser(events, level, vector, inBasis, history, labels);
    }
}
