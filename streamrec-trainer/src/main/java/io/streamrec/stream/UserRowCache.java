package io.streamrec.stream;

import io.streamrec.learn.FactorTable;
import java.util.Arrays;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The user rows a user task holds in memory, found through {@link RowLoader} (cache, the task's store, the global
 * store, else an initial row), with a bound: past {@code user.cache.rows} rows the least recently used are dropped.
 *
 * <p>State: one instance per user task (input partition). The rows are the task model's {@code users()} table; the
 * task's changelogged user store holds every row the task stepped, so the cache itself is never changelogged, and
 * {@link #lastUsed} (flush interval of each row's last event) is memory only.
 */
final class UserRowCache {
    private final FactorTable table;
    private final RowLoader loader;
    /** Most user rows kept in memory ({@code user.cache.rows}); the least recently used beyond it are dropped. */
    private final int maxUsers;
    /** Per user row: the flush interval ({@link #tick}) of its last event. */
    private int[] lastUsed = new int[1024 - 8];

    private int tick;

    /** @param publishedWidth the rows' length in {@code model-updates} ({@link TrainerConfig#publishedWidth}) */
    UserRowCache(
            FactorTable table,
            KeyValueStore<String, byte[]> own,
            KeyValueStore<String, byte[]> global,
            int maxUsers,
            int publishedWidth) {
        this.table = table;
        this.loader = new RowLoader(table, own, global, publishedWidth);
        this.maxUsers = maxUsers;
    }

    /** The row of a user somebody trained, loaded into memory; -1 for an unseen user (see {@link RowLoader#find}). */
    int find(String user) {
        return loader.find(user);
    }

    /** The row of a user, its initial row when nobody trained it yet. */
    int row(String user) {
        return loader.row(user);
    }

    /** Marks a row as used in the current flush interval. */
    void used(int row) {
        if (row >= lastUsed.length) {
            // As the table's rows grow (FactorTable): 8 short of a power of two, so the array fills whole heap regions.
            lastUsed = Arrays.copyOf(lastUsed, Math.max(row + 1, lastUsed.length * 2 + 8));
        }
        lastUsed[row] = tick;
    }

    /** Writes a row back to the task's store, saved at {@code now} (epoch ms). */
    void save(int row, long now) {
        loader.save(row, now);
    }

    /**
     * Drops the rows of {@code ids} from memory (those that are there), under the same conditions as
     * {@link #evictLeastRecentlyUsed}; the caller has deleted them from the store. Returns how many were in memory.
     */
    int drop(java.util.Collection<String> ids) {
        int n = table.size();
        boolean[] remove = new boolean[n];
        int dropped = 0;
        for (String id : ids) {
            int r = table.indexOf(id);
            if (r >= 0) {
                remove[r] = true;
                dropped++;
            }
        }
        if (dropped > 0) {
            table.removeRows(remove, (from, to) -> lastUsed[to] = lastUsed[from]);
        }
        return dropped;
    }

    RowLoader loader() {
        return loader;
    }

    /** Ends a flush interval. */
    void nextInterval() {
        tick++;
    }

    /**
     * Past {@code user.cache.rows} rows in memory, drops the least recently used down to nine tenths of it (so that
     * it happens once per many intervals, not each one). The caller calls it only between a flush
     * and the next event, when no batch, gradient or unpublished set refers to a row number: a dropped row is saved
     * in the task's store (every flush saves the rows it stepped; an unstepped row came from the store or the global
     * store unchanged) and is read back from there on its user's next event, optimizer state included, so dropping
     * changes no result.
     *
     * @return the rows dropped, 0 when within the bound
     */
    int evictLeastRecentlyUsed() {
        int n = table.size();
        if (n <= maxUsers) {
            return 0;
        }
        int drop = n - (maxUsers - maxUsers / 10);
        int[] sorted = Arrays.copyOf(lastUsed, n);
        Arrays.sort(sorted);
        int threshold = sorted[drop - 1];
        int below = 0;
        while (sorted[below] < threshold) {
            below++;
        }
        int atThreshold = drop - below;
        boolean[] remove = new boolean[n];
        for (int r = 0; r < n; r++) {
            if (lastUsed[r] < threshold || (lastUsed[r] == threshold && atThreshold-- > 0)) {
                remove[r] = true;
            }
        }
        table.removeRows(remove, (from, to) -> lastUsed[to] = lastUsed[from]);
        return drop;
    }
}
