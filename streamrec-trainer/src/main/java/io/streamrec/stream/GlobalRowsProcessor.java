package io.streamrec.stream;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global store a verbatim copy of {@code model-updates} (the bytes as published), and the instance's
 * {@link PublishedRows} the parsed item rows and label sums of it. Kafka Streams runs this processor for the
 * records it restores the store from at start-up too, so both are complete once the instance runs.
 */
final class GlobalRowsProcessor implements Processor<String, byte[], Void, Void> {
    private final PublishedRows published;
    private KeyValueStore<String, byte[]> store;

    GlobalRowsProcessor(PublishedRows published) {
        this.published = published;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(Topics.GLOBAL_ROWS_STORE);
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
        published.update(record.key(), record.value());
    }
}
