package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class RowExpiryTest {
    private static final long T0 = StreamFixtures.NOW;

    private final KeyValueStore<String, byte[]> store = store();

    private static KeyValueStore<String, byte[]> store() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        KeyValueStore<String, byte[]> s = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore("rows"), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        s.init(context.getStateStoreContext(), s);
        return s;
    }

    private void put(String id, long savedAt) {
        store.put(id, Codecs.encodeRow(1, 1L, new float[] {1, 2}, 0, 2, new float[0], 0, 0, savedAt));
    }

    @Test
    void shouldSweepAtMostEveryQuarterTtlBetweenOneSecondAndFiveMinutes() {
        assertFalse(new RowExpiry(store, 60_000, T0).due(T0 + 14_999));
        assertTrue(new RowExpiry(store, 60_000, T0).due(T0 + 15_000));
        assertFalse(new RowExpiry(store, 100, T0).due(T0 + 999), "at least a second");
        assertTrue(new RowExpiry(store, 86_400_000, T0).due(T0 + 300_000), "at most five minutes");
        assertThrows(IllegalArgumentException.class, () -> new RowExpiry(store, 0, T0));
    }

    @Test
    void shouldDeleteOnlyRowsSavedLongerThanTheTtlAgo() {
        put("old", T0 - 10_001);
        put("edge", T0 - 10_000);
        put("fresh", T0 - 1);
        List<String> expired = new RowExpiry(store, 10_000, T0 - 20_000).sweep(T0);
        assertEquals(List.of("old"), expired);
        assertEquals(2, store.approximateNumEntries());
    }

    @Test
    void shouldStampRowsOfUnknownAgeInsteadOfExpiringThem() {
        store.put("legacy", Codecs.encodeRow(4, 2L, new float[] {1, 2}, 0, 2, new float[] {3}, 0, 1));
        RowExpiry expiry = new RowExpiry(store, 10_000, T0);
        assertEquals(List.of(), expiry.sweep(T0 + 50_000));
        Codecs.StoredRow stamped = Codecs.decodeRow(store.get("legacy"));
        assertEquals(T0 + 50_000, stamped.savedAt());
        assertEquals(4, stamped.version(), "values kept");
        assertEquals(List.of("legacy"), expiry.sweep(T0 + 60_001), "one TTL after it was first seen");
    }
}
