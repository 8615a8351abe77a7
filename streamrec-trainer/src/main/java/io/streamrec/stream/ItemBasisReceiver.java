package io.streamrec.stream;

import io.streamrec.learn.ItemBasis;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The global processor of {@code residual-bases}: hands each basis the basis task published to the instance's user
 * and item tasks, which predict with it and publish rows that carry its coordinates. Every instance reads the same
 * topic, so all of them use the same bases; at start-up Kafka Streams runs the (compacted) topic through here again.
 */
final class ItemBasisReceiver implements Processor<String, byte[], Void, Void> {
    private final AtomicReference<ItemBasis> latest;
    private final TrainerListener listener;

    ItemBasisReceiver(AtomicReference<ItemBasis> latest, TrainerListener listener) {
        this.latest = latest;
        this.listener = listener;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        ItemBasis basis = ItemBasis.fromBytes(record.value());
        latest.set(basis);
        listener.basisReceived(basis);
    }
}
