package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The pending log's records and restore, with and without the flush watermark a task saves in its state. */
class PendingLogTest {
    private static KeyValueStore<Long, byte[]> inner() {
        KeyValueStore<Long, byte[]> s = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore("pending"), Serdes.Long(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        s.init(new MockProcessorContext<>().getStateStoreContext(), s);
        return s;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> strings(List<byte[]> entries) {
        return entries.stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void shouldSkipAndDeleteAgainARecordAFlushCoveredWhenItsDeletionWasLost() {
        KeyValueStore<Long, byte[]> store = inner();
        PendingLog log = new PendingLog(store);
        log.append(b("a"));
        log.append(b("b"));
        log.flushCache(); // a commit: record 0
        byte[] flushed = store.get(0L);
        log.clear(); // a flush covered a and b; the task saves the watermark with its state
        long watermark = log.flushedBefore();
        assertEquals(1, watermark);
        // An operator aborted the transaction that held the deletion (a hanging transaction after a broker crash).
        store.put(0L, flushed);
        log.append(b("c"));
        log.flushCache(); // record 1

        PendingLog restarted = new PendingLog(store);
        assertEquals(List.of("c"), strings(restarted.restore(watermark)), "a and b were flushed: not learned again");
        assertNull(store.get(0L), "the stale record is deleted again");
        restarted.append(b("d"));
        restarted.flushCache();
        assertNotNull(store.get(2L), "records go on after the last one");
    }

    @Test
    void shouldRestoreEveryRecordForAStateSavedBeforeTheWatermark() {
        KeyValueStore<Long, byte[]> store = inner();
        PendingLog log = new PendingLog(store);
        log.append(b("a"));
        log.flushCache();
        log.append(b("b"));
        log.flushCache();
        assertEquals(List.of("a", "b"), strings(new PendingLog(store).restore(0)));
    }

    @Test
    void shouldSplitACommitOfManyEntriesIntoRecordsUnderTheLimitAndRestoreThemInOrder() {
        KeyValueStore<Long, byte[]> store = inner();
        PendingLog log = new PendingLog(store);
        int n = 3 * PendingLog.RECORD_BYTES / 1000;
        for (int e = 0; e < n; e++) {
            byte[] entry = new byte[1000 - 4];
            java.util.Arrays.fill(entry, (byte) ('a' + e % 26));
            log.append(entry);
        }
        byte[] large = new byte[PendingLog.RECORD_BYTES + 10]; // one entry above the limit goes alone
        log.append(large);
        log.flushCache(); // one commit: the events of a whole interval under a backlog

        long records = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                int size = it.next().value.length;
                assertTrue(size <= PendingLog.RECORD_BYTES || size == large.length + 4, "record of " + size + " bytes");
                records++;
            }
        }
        assertTrue(records >= 4, "split into records: " + records);
        List<byte[]> restored = new PendingLog(store).restore(0);
        assertEquals(n + 1, restored.size(), "every entry back");
        for (int e = 0; e < n; e++) {
            assertEquals('a' + e % 26, restored.get(e)[0], "entry " + e + " in its place");
        }
        assertEquals(large.length, restored.get(n).length);
    }
}
