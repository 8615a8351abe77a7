package io.streamrec.stream;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The not-yet-flushed entries of a task (events of the current user mini-batch, or item gradients not yet
 * applied), kept in a changelogged store so that a crash loses none: under exactly-once, the store's changelog and
 * the input offsets commit together, so after a restart each consumed entry is either in this log or flushed.
 *
 * <p>Entries are packed into chunks of about {@value #CHUNK_BYTES} bytes, one store key per chunk, and the store
 * is cached: a chunk is rewritten as it grows but reaches the changelog at most once per commit, instead of one
 * record (and later one tombstone) per event. A flush deletes the chunks it covered.
 */
final class PendingLog {
    static final int CHUNK_BYTES = 1024;

    private final KeyValueStore<Long, byte[]> store;
    private long firstChunk;
    private long chunk;
    private byte[] buffer = new byte[CHUNK_BYTES + 512];
    private int length;

    PendingLog(KeyValueStore<Long, byte[]> store) {
        this.store = store;
    }

    /** Reads back what a previous incarnation of the task left, in order, and continues after it. */
    List<byte[]> restore() {
        List<byte[]> entries = new ArrayList<>();
        long min = Long.MAX_VALUE;
        long max = -1;
        try (KeyValueIterator<Long, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Long, byte[]> kv = it.next();
                min = Math.min(min, kv.key);
                max = Math.max(max, kv.key);
                ByteBuffer b = ByteBuffer.wrap(kv.value);
                while (b.remaining() > 0) {
                    byte[] e = new byte[b.getInt()];
                    b.get(e);
                    entries.add(e);
                }
            }
        }
        firstChunk = max < 0 ? 0 : min;
        chunk = max + 1;
        length = 0;
        return entries;
    }

    void append(byte[] entry) {
        int need = length + 4 + entry.length;
        if (need > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(need, buffer.length * 2));
        }
        ByteBuffer.wrap(buffer, length, 4).putInt(entry.length);
        System.arraycopy(entry, 0, buffer, length + 4, entry.length);
        length = need;
        store.put(chunk, Arrays.copyOf(buffer, length));
        if (length >= CHUNK_BYTES) {
            chunk++;
            length = 0;
        }
    }

    /** Forgets every entry appended so far (they were flushed). */
    void clear() {
        long end = length > 0 ? chunk + 1 : chunk;
        for (long k = firstChunk; k < end; k++) {
            store.delete(k);
        }
        chunk = end;
        firstChunk = end;
        length = 0;
    }
}
