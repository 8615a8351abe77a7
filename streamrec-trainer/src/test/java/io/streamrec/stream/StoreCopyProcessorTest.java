package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code global.store} {@code rocksdb} the global store of {@code model-updates} is on disk and restores only from
 * its checkpoint, so what it held before a restart must reach {@link PublishedRows} at start-up: the copying processor
 * replays the prefixes it is given.
 */
class StoreCopyProcessorTest {
    @TempDir
    Path dir;

    /** Opens {@code store} in {@code dir} through a processor context, runs {@code records} through the processor. */
    private void run(StoreCopyProcessor processor, KeyValueStore<String, byte[]> store, Map<String, byte[]> records) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "copy-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>(props, new TaskId(0, 0), dir.toFile());
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        processor.init(context);
        records.forEach((k, v) -> processor.process(new Record<>(k, v, 0L)));
        store.flush();
        store.close();
    }

    private static KeyValueStore<String, byte[]> store() {
        return Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(Topics.GLOBAL_ROWS_STORE), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldTellWhatTheStoreKeptUnderTheReplayedPrefixesAtStartUpAndNothingElse() {
        Map<String, byte[]> first = new LinkedHashMap<>();
        first.put("item:a", b("A1"));
        first.put("item:b", b("B1"));
        first.put("user:u", b("U1"));
        first.put("mean:0", b("M0"));
        first.put("gate:0", b("G0"));
        Map<String, String> before = new TreeMap<>();
        run(
                new StoreCopyProcessor(
                        Topics.GLOBAL_ROWS_STORE,
                        (k, v) -> before.put(k, v == null ? null : new String(v, StandardCharsets.UTF_8)),
                        PublishedRows.PREFIXES),
                store(),
                first);
        assertEquals(5, before.size()); // every record is told as it comes
        // A newer version and a tombstone, then a restart: the store restores nothing more (its checkpoint is at the
        // end), so what the processor tells at init is all a new PublishedRows gets.
        Map<String, byte[]> second = new LinkedHashMap<>();
        second.put("item:a", b("A2"));
        second.put("item:b", null);
        run(new StoreCopyProcessor(Topics.GLOBAL_ROWS_STORE, (k, v) -> {}, PublishedRows.PREFIXES), store(), second);

        Map<String, String> after = new TreeMap<>();
        run(
                new StoreCopyProcessor(
                        Topics.GLOBAL_ROWS_STORE,
                        (k, v) -> after.put(k, new String(v, StandardCharsets.UTF_8)),
                        PublishedRows.PREFIXES),
                store(),
                Map.of());
        assertEquals(
                Map.of("item:a", "A2", "mean:0", "M0", "gate:0", "G0"),
                after); // no user rows (never parsed), no deleted item
    }

    @Test
    void shouldTellNothingAtStartUpWithoutPrefixes() {
        Map<String, String> told = new TreeMap<>();
        run(new StoreCopyProcessor(Topics.GLOBAL_ROWS_STORE, (k, v) -> {}), store(), Map.of("item:a", b("A1")));
        run(new StoreCopyProcessor(Topics.GLOBAL_ROWS_STORE, (k, v) -> told.put(k, "told")), store(), Map.of());
        assertEquals(Map.of(), told);
    }
}
