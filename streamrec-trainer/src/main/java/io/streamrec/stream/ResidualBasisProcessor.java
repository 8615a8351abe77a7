package io.streamrec.stream;

import io.streamrec.learn.ItemBasis;
import io.streamrec.learn.ResidualBasis;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The global processor of {@code residuals}: feeds every record, in the topic's order, to the instance's
 * {@link ResidualBasis}, whose latest basis the user tasks predict with. The topic has one partition, so every
 * instance sees the same records in the same order and learns the same bases; at start-up Kafka Streams runs the
 * whole topic through here again, which rebuilds the basis's statistics.
 */
final class ResidualBasisProcessor implements Processor<String, byte[], Void, Void> {
    private static final int REPORT_EVERY = 1000;

    private final ResidualBasis basis;
    private final TrainerListener listener;
    private ItemBasis reported;

    ResidualBasisProcessor(ResidualBasis basis, TrainerListener listener) {
        this.basis = basis;
        this.listener = listener;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        Codecs.Residual r = Codecs.decodeResidual(record.value());
        basis.observe(record.key(), r.item(), r.residual());
        ItemBasis now = basis.current();
        if (now != reported || basis.events() % REPORT_EVERY == 0) {
            reported = now;
            listener.residualBasis(basis.events(), now, basis.users());
        }
    }
}
