package io.streamrec.stream;

import java.util.function.BiConsumer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps a global store a verbatim copy of its topic (a record puts its value, a tombstone deletes the key), and tells
 * {@code also} of every record. Kafka Streams runs this processor for the records it restores the store from at
 * start-up too, so whatever {@code also} keeps is complete once the instance runs: for {@code model-updates}, the
 * instance's {@link PublishedRows} (the parsed item rows and label sums).
 */
final class StoreCopyProcessor implements Processor<String, byte[], Void, Void> {
    private final String storeName;
    private final BiConsumer<String, byte[]> also;
    private KeyValueStore<String, byte[]> store;

    StoreCopyProcessor(String storeName, BiConsumer<String, byte[]> also) {
        this.storeName = storeName;
        this.also = also;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
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
