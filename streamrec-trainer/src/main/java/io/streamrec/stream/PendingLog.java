package io.streamrec.stream;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The not-yet-flushed entries of a task (events of the current user mini-batch, or item gradients not yet
 * applied), as a state store whose changelog holds them at every commit, so that a crash loses none: under
 * exactly-once the changelog and the input offsets commit together, so after a restart each consumed entry is
 * either in this log or was flushed.
 *
 * <p>Entries are appended in memory and reach the changelogged store only when the task commits: Kafka Streams
 * asks every cached store to write its cache out right before it flushes the task's producer and commits (the
 * same step that writes a record cache's dirty entries), and this store answers by writing the entries appended
 * since the previous commit as one record (or a few, see {@link #flushCache}). At tens of thousands of events a
 * second per task and a commit every 150 ms, a record per commit replaces one cached-store write per event; most
 * entries are flushed before any commit sees them, and a flush deletes the records it covered.
 *
 * <p>The hook is {@link CachedStateStore#flushCache()}, an interface of Kafka Streams' internals package (the one
 * its own caching stores implement); {@code StreamTopologyTest} checks that a commit writes the entries, so a
 * Kafka Streams upgrade that stops calling it fails the build instead of losing events.
 */
final class PendingLog implements StateStore, CachedStateStore<Long, byte[]> {
    /** Bytes of entries per changelog record, a quarter of Kafka's default 1 MB limit (one larger entry goes alone). */
    static final int RECORD_BYTES = 256 * 1024;

    private final KeyValueStore<Long, byte[]> store;
    /** The records of entries not yet flushed: keys {@code firstChunk} to {@code nextChunk - 1}. */
    private long firstChunk;

    private long nextChunk;
    /** Entries appended since the last commit, each an int length and its bytes. */
    private byte[] buffer = new byte[4096];

    private int length;
    private int entries;
    /** Of {@link #entries}, those appended since the last commit (in {@link #buffer}). */
    private int uncommitted;

    PendingLog(KeyValueStore<Long, byte[]> store) {
        this.store = store;
    }

    /** A changelogged, in-memory pending log named {@code name}. */
    static StoreBuilder<PendingLog> builder(String name) {
        return new Builder(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Long(), Serdes.ByteArray())
                        .withCachingDisabled());
    }

    /**
     * Reads back what a previous incarnation of the task committed, in order, and continues after it. Records before
     * {@code flushedBefore} (what {@link #flushedBefore()} returned at the task's last flush, saved in its task state)
     * were flushed: their deletion should be in the changelog too, but when an operator aborts a transaction left
     * hanging on this changelog after a broker crash (docs/architecture.md), the deletion can be lost while the
     * flush it belonged to committed; learning them again would count their events twice. They are skipped and
     * deleted again.
     */
    List<byte[]> restore(long flushedBefore) {
        List<byte[]> out = new ArrayList<>();
        List<Long> stale = new ArrayList<>();
        long min = Long.MAX_VALUE;
        long max = -1;
        long maxAny = -1;
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Long, byte[]> kv = it.next();
                maxAny = Math.max(maxAny, kv.key);
                if (kv.key < flushedBefore) {
                    stale.add(kv.key);
                    continue;
                }
                min = Math.min(min, kv.key);
                max = Math.max(max, kv.key);
                ByteBuffer b = ByteBuffer.wrap(kv.value);
                while (b.remaining() > 0) {
                    byte[] e = new byte[b.getInt()];
                    b.get(e);
                    out.add(e);
                }
            }
        }
        for (long k : stale) {
            store.delete(k);
        }
        nextChunk = Math.max(maxAny + 1, flushedBefore);
        firstChunk = max < 0 ? nextChunk : min;
        length = 0;
        entries = out.size();
        uncommitted = 0;
        return out;
    }

    void append(byte[] entry) {
        int need = length + 4 + entry.length;
        if (need > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(need, buffer.length * 2));
        }
        ByteBuffer.wrap(buffer, length, 4).putInt(entry.length);
        System.arraycopy(entry, 0, buffer, length + 4, entry.length);
        length = need;
        entries++;
        uncommitted++;
    }

    /** Forgets every entry appended so far (they were flushed). */
    void clear() {
        for (long k = firstChunk; k < nextChunk; k++) {
            store.delete(k);
        }
        firstChunk = nextChunk;
        length = 0;
        entries = 0;
        uncommitted = 0;
    }

    /** The first record key no flush has covered yet: after {@link #clear()}, every record written so far is below. */
    long flushedBefore() {
        return firstChunk;
    }

    /** Entries appended and not yet cleared, committed or not. */
    int size() {
        return entries;
    }

    /**
     * Called by Kafka Streams before each commit of the task: writes the entries appended since the last one, in
     * records of about {@link #RECORD_BYTES} (cut between entries), so that a commit that finds many entries (one
     * not preceded by a flush: Kafka Streams' own timer, a rebalance) stays under Kafka's 1 MB record limit.
     */
    @Override
    public void flushCache() {
        int from = 0;
        int at = 0;
        while (at < length) {
            int next = at + 4 + ByteBuffer.wrap(buffer, at, 4).getInt();
            if (next - from > RECORD_BYTES && at > from) {
                store.put(nextChunk++, Arrays.copyOfRange(buffer, from, at));
                from = at;
            }
            at = next;
        }
        if (length > from) {
            store.put(nextChunk++, Arrays.copyOfRange(buffer, from, length));
        }
        length = 0;
        uncommitted = 0;
    }

    /** Called when the task closes without committing: its uncommitted input will be read again. */
    @Override
    public void clearCache() {
        length = 0;
        entries -= uncommitted;
        uncommitted = 0;
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Long, byte[]> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return store.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        store.init(context, root);
    }

    @Override
    @SuppressWarnings("deprecation") // a wrapper passes on every StateStore call, deprecated ones included
    public void flush() {
        store.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        store.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return store.committedOffset(partition);
    }

    @Override
    @SuppressWarnings("deprecation") // as flush()
    public boolean managesOffsets() {
        return store.managesOffsets();
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public boolean persistent() {
        return store.persistent();
    }

    @Override
    public boolean isOpen() {
        return store.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
        return store.query(query, bound, config);
    }

    @Override
    public org.apache.kafka.streams.query.Position getPosition() {
        return store.getPosition();
    }

    /** Builds the log over a logged in-memory key-value store; a record cache would only add a copy. */
    private record Builder(StoreBuilder<KeyValueStore<Long, byte[]>> inner) implements StoreBuilder<PendingLog> {
        @Override
        public StoreBuilder<PendingLog> withCachingEnabled() {
            return this;
        }

        @Override
        public StoreBuilder<PendingLog> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<PendingLog> withLoggingEnabled(Map<String, String> config) {
            return new Builder(inner.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<PendingLog> withLoggingDisabled() {
            return new Builder(inner.withLoggingDisabled());
        }

        @Override
        public PendingLog build() {
            return new PendingLog(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
