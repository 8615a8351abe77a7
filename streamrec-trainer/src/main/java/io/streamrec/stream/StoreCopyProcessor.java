package io.streamrec.stream;

import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps a global store a verbatim copy of its topic (a record puts its value, a tombstone deletes the key), and tells
 * {@code also} of every record. So that whatever {@code also} keeps is complete once the instance runs (for
 * {@code model-updates}, the instance's {@link PublishedRows}: the parsed item rows and label sums), it is told of
 * two more things: the records Kafka Streams restores the store from at start-up, which it runs through this
 * processor, and, at {@link #init}, the keys under {@code replayed} prefixes that the store already holds. A
 * persistent store restores only from its checkpoint on, so what it held before a restart reaches {@code also} by
 * the second way alone. Telling {@code also} of a record twice is harmless: it keeps the latest value of each key.
 */
final class StoreCopyProcessor implements Processor<String, byte[], Void, Void> {
    private final String storeName;
    private final BiConsumer<String, byte[]> also;
    private final List<String> replayed;
    private KeyValueStore<String, byte[]> store;

    /** Tells {@code also} of the records only. */
    StoreCopyProcessor(String storeName, BiConsumer<String, byte[]> also) {
        this(storeName, also, List.of());
    }

    StoreCopyProcessor(String storeName, BiConsumer<String, byte[]> also, List<String> replayed) {
        this.storeName = storeName;
        this.also = also;
        this.replayed = List.copyOf(replayed);
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
        StringSerializer keys = new StringSerializer();
        for (String prefix : replayed) {
            try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, keys)) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    also.accept(kv.key, kv.value);
                }
            }
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), record.value());
        }
        also.accept(record.key(), record.value());
    }
}
