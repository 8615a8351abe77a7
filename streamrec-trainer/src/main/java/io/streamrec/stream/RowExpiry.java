package io.streamrec.stream;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code rows.ttl.ms} for one task's row store: finds the rows no flush has saved for longer than the TTL and
 * deletes them from the store; the caller drops them from memory and tombstones them on {@code model-updates}, so
 * that compaction removes them and clients forget them.
 *
 * <p>A sweep reads the whole store (each row's saved-at time sits in its header, see {@link Codecs#rowSavedAt}), so
 * it runs at most every {@link #sweepEveryMs}: a quarter of the TTL, at most 5 minutes, at least a second. A row is
 * thus deleted between one TTL and one TTL plus a sweep interval after its last training. Rows whose saved-at time is
 * unknown (written by an older build) are stamped with the sweep's time, so they expire one TTL later instead of at
 * once. Time is the trainer's wall clock (the task's {@code currentSystemTimeMs}), not event time: a replayed file
 * does not expire its users early.
 *
 * <p>State: one instance per task, in memory (the next sweep time only); everything else is in the store.
 */
final class RowExpiry {
    static final long MAX_SWEEP_EVERY_MS = 5 * 60_000;
    static final long MIN_SWEEP_EVERY_MS = 1_000;

    private final KeyValueStore<String, byte[]> store;
    private final long ttlMs;
    private final long sweepEveryMs;
    private long nextSweep;

    /** {@code ttlMs} > 0. */
    RowExpiry(KeyValueStore<String, byte[]> store, long ttlMs, long now) {
        if (ttlMs <= 0) {
            throw new IllegalArgumentException("rows.ttl.ms must be > 0 for expiry, got " + ttlMs);
        }
        this.store = store;
        this.ttlMs = ttlMs;
        this.sweepEveryMs = Math.max(MIN_SWEEP_EVERY_MS, Math.min(MAX_SWEEP_EVERY_MS, ttlMs / 4));
        this.nextSweep = now + sweepEveryMs;
    }

    /** Whether a sweep is due at {@code now}. */
    boolean due(long now) {
        return now >= nextSweep;
    }

    /** Deletes the rows last saved more than the TTL before {@code now} from the store and returns their ids. */
    List<String> sweep(long now) {
        nextSweep = now + sweepEveryMs;
        List<String> expired = new ArrayList<>();
        List<KeyValue<String, byte[]>> unknown = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                long savedAt = Codecs.rowSavedAt(kv.value);
                if (savedAt == 0) {
                    unknown.add(kv);
                } else if (now - savedAt > ttlMs) {
                    expired.add(kv.key);
                }
            }
        }
        for (String id : expired) {
            store.delete(id);
        }
        for (KeyValue<String, byte[]> kv : unknown) {
            Codecs.StoredRow r = Codecs.decodeRow(kv.value);
            store.put(
                    kv.key,
                    Codecs.encodeRow(
                            r.version(),
                            r.updates(),
                            r.params(),
                            0,
                            r.params().length,
                            r.state(),
                            0,
                            r.state().length,
                            now));
        }
        return expired;
    }
}
