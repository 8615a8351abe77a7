package io.streamrec.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Small helpers shared by the stream tests: configs, event JSON, parsed records. */
final class StreamFixtures {
    /** The wall clock of processor tests: 2024-01-01T00:00:00Z. */
    static final long NOW = 1_704_067_200_000L;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StreamFixtures() {}

    /** A config for a test topology: one partition, unique state dir, and the given settings over the defaults. */
    static TrainerConfig config(Path stateDir, String... keyValues) {
        Map<String, String> m = new HashMap<>();
        m.put(TrainerConfig.BOOTSTRAP_SERVERS, "dummy:9092");
        m.put(TrainerConfig.APPLICATION_ID, "stest-" + Long.toHexString(System.nanoTime()));
        m.put("state.dir", stateDir.toString());
        m.put(TrainerConfig.PARTITIONS, "1");
        m.put(TrainerConfig.FACTORS, "4");
        for (int k = 0; k < keyValues.length; k += 2) {
            m.put(keyValues[k], keyValues[k + 1]);
        }
        return TrainerConfig.of(m);
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** The JSON of a valid event. */
    static byte[] event(String user, String item, double label) {
        return utf8(String.format(Locale.ROOT, "{\"user\":\"%s\",\"item\":\"%s\",\"label\":%s}", user, item, label));
    }

    static JsonNode json(byte[] value) {
        try {
            return MAPPER.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a built, initialized store without changelog to a processor tested alone. */
    static <S extends org.apache.kafka.streams.processor.StateStore> S addStore(
            org.apache.kafka.streams.processor.api.MockProcessorContext<?, ?> context,
            org.apache.kafka.streams.state.StoreBuilder<S> builder) {
        S s = builder.withLoggingDisabled().build();
        s.init(context.getStateStoreContext(), s);
        context.addStateStore(s);
        return s;
    }

    /** The stores every user task has, in memory: rows, pending log, task state, and the global rows. */
    static void addUserTaskStores(org.apache.kafka.streams.processor.api.MockProcessorContext<?, ?> context) {
        context.setCurrentSystemTimeMs(NOW);
        for (String name : new String[] {Topics.USER_STORE, Role.USER.taskStateStore(), Topics.GLOBAL_ROWS_STORE}) {
            addStore(
                    context,
                    org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                            org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(name),
                            org.apache.kafka.common.serialization.Serdes.String(),
                            org.apache.kafka.common.serialization.Serdes.ByteArray()));
        }
        addStore(context, PendingLog.builder(Topics.USER_PENDING_STORE));
    }
}
