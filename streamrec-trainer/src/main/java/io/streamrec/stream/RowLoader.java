package io.streamrec.stream;

import io.streamrec.learn.FactorTable;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import java.util.function.IntConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Finds a row for a task: in the task's cache, else in its own changelogged store (rows it trained before a
 * restart or rebalance), else in the global copy of {@code model-updates} (rows seeded from a pretrained snapshot,
 * or trained by another task), else the deterministic initial row.
 */
final class RowLoader {
    private final FactorTable table;
    private final KeyValueStore<String, byte[]> own;
    private final KeyValueStore<String, byte[]> global;
    /** The rows' length in {@code model-updates}: the table's width, plus what only clients use. */
    private final int publishedWidth;

    RowLoader(
            FactorTable table,
            KeyValueStore<String, byte[]> own,
            KeyValueStore<String, byte[]> global,
            int publishedWidth) {
        this.table = table;
        this.own = own;
        this.global = global;
        this.publishedWidth = publishedWidth;
    }

    int row(String id) {
        int r = find(id);
        return r >= 0 ? r : table.getOrCreate(id);
    }

    /**
     * The row of {@code id} when it exists anywhere (cache, own store, global store), loaded into the cache;
     * -1 for a row nobody has trained yet. Unlike {@link #row} it creates no initial row, so that a prediction
     * for an unseen id leaves that id out (it contributes nothing), as the contract says.
     */
    int find(String id) {
        int r = findOwn(id);
        if (r >= 0) {
            return r;
        }
        ModelUpdates.ParsedRow published = global == null
                ? null
                : ModelUpdates.parseRow(
                        table.kind(), id, global.get(ModelKeys.row(table.kind(), id)), table.width(), publishedWidth);
        if (published != null) {
            return table.put(id, published.params(), 0, null, 0, published.version(), published.updates());
        }
        return -1;
    }

    /**
     * The row of {@code id} when this task holds it (cache or own store), loaded into the cache; -1 otherwise. Rows
     * only in the global store belong to other tasks, or to no task yet.
     */
    int findOwn(String id) {
        int r = table.indexOf(id);
        if (r >= 0) {
            return r;
        }
        byte[] stored = own == null ? null : own.get(id);
        if (stored != null) {
            Codecs.StoredRow s = Codecs.decodeRow(stored);
            if (s.params().length == table.width()) {
                float[] state = stateFor(s.state(), table.width(), table.stateSize());
                return table.put(id, s.params(), 0, state, 0, s.version(), s.updates());
            }
        }
        return -1;
    }

    /**
     * The stored optimizer state as the table keeps it, or null (fresh state) when it was written by another
     * optimizer. A row saved with per-coordinate AdaGrad ({@code width} floats, before {@code row-adagrad} was the
     * default) becomes row-wise state exactly: the sum over steps of the mean squared factor gradient is the mean
     * over factors of their summed squares.
     */
    static float[] stateFor(float[] stored, int width, int stateSize) {
        if (stored.length == stateSize) {
            return stored;
        }
        if (stateSize == 2 && stored.length == width && width > 2) {
            float factors = 0f;
            for (int j = 1; j < width; j++) {
                factors += stored[j];
            }
            return new float[] {stored[0], factors / (width - 1)};
        }
        return null;
    }

    /**
     * Loads every row of the task's store whose version differs from the one published in {@code model-updates}
     * (as far as the global store has read it) and hands its row index to {@code unpublished}: after a crash
     * between saving rows and publishing them, these are the rows to publish again. Republishing a row is harmless:
     * readers keep the last record per key.
     */
    void findUnpublished(IntConsumer unpublished) {
        try (KeyValueIterator<String, byte[]> it = own.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                int version = Codecs.decodeRow(kv.value).version();
                ModelUpdates.ParsedRow published = ModelUpdates.parseRow(
                        table.kind(),
                        kv.key,
                        global.get(ModelKeys.row(table.kind(), kv.key)),
                        table.width(),
                        publishedWidth);
                if (published == null || published.version() != version) {
                    unpublished.accept(row(kv.key));
                }
            }
        }
    }

    /**
     * Sets a row back to the version {@code model-updates} holds (fresh optimizer state), or, when none was
     * published, to zeros (a row that adds nothing to a score, as an unseen one), and saves it: the gate's rollback.
     */
    void revert(int row, long now) {
        String id = table.id(row);
        ModelUpdates.ParsedRow published = ModelUpdates.parseRow(
                table.kind(), id, global.get(ModelKeys.row(table.kind(), id)), table.width(), publishedWidth);
        if (published != null) {
            table.put(id, published.params(), 0, null, 0, published.version(), published.updates());
        } else {
            table.put(id, new float[table.width()], 0, null, 0, 0, 0);
        }
        save(row, now);
    }

    /** Writes a row back to the task's store; {@code now} (epoch ms) is when, for {@code rows.ttl.ms}. */
    void save(int row, long now) {
        int w = table.width();
        int s = table.stateSize();
        own.put(
                table.id(row),
                Codecs.encodeRow(
                        table.version(row),
                        table.updates(row),
                        table.params(),
                        row * w,
                        w,
                        table.state(),
                        row * s,
                        s,
                        now));
    }

    /** Same, with the time unknown (0): rows whose expiry is not tracked. */
    void save(int row) {
        save(row, 0);
    }

    RowKind kind() {
        return table.kind();
    }
}
