package io.streamrec.stream;

import io.streamrec.learn.ItemBasis;
import io.streamrec.learn.ResidualBasis;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The basis task: the one task of {@code residuals}' one partition, which learns the residual basis from every
 * event's residual, in the topic's order, and publishes each new basis to {@code residual-bases} for every instance.
 *
 * <p>Its learner's state lives in a changelogged store: every {@link #SAVE_INTERVAL_MS} it writes what changed since
 * the last save ({@link ResidualBasis#drainChanges}), and the residuals learned since (a {@link PendingLog}) are
 * committed with the input offsets, so a restart or a move to another instance rebuilds the learner as it was,
 * without the topic's history. The topic itself only has to keep what the task has not committed yet
 * ({@code ResidualsPurge}).
 */
final class ResidualBasisProcessor implements Processor<String, byte[], String, byte[]> {
    /** The key of {@code residual-bases}' records: the topic is compacted to the latest basis. */
    static final String BASIS_KEY = "basis";
    /** The store entry beside the learner's: the pending log's first record not yet covered by a save. */
    private static final String PENDING_FROM = "pending-from";

    private static final int REPORT_EVERY = 1000;
    /**
     * How often the learner's changes are saved. Its pair statistics are 3 MB, and under a busy stream nearly all of
     * them change between two saves, so a save at every flush would write megabytes several times a second. The
     * residuals in between wait in the pending log, which then costs more than the saves: rarer saves buy little
     * (docs/benchmarks.md).
     */
    static final long SAVE_INTERVAL_MS = 5_000;

    private final TrainerConfig config;
    private final TrainerListener listener;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> store;
    private PendingLog pending;
    private ResidualBasis basis;
    private ItemBasis published;
    /** Residuals learned since the listener was last told. */
    private long unreported;

    ResidualBasisProcessor(TrainerConfig config, TrainerListener listener) {
        this.config = config;
        this.listener = listener;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        store = context.getStateStore(Topics.RESIDUAL_BASIS_STORE);
        pending = context.getStateStore(Topics.RESIDUAL_BASIS_PENDING_STORE);
        Map<String, byte[]> entries = new HashMap<>();
        long pendingFrom = 0;
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (kv.key.equals(PENDING_FROM)) {
                    pendingFrom = ByteBuffer.wrap(kv.value).getLong();
                } else {
                    entries.put(kv.key, kv.value);
                }
            }
        }
        // Histories are bounded as a user task's rows are.
        basis = ResidualBasis.restore(config.hyperparameters().seed(), config.userCacheRows(), entries);
        // Published again at the first record or save, as the pending residuals may have made it again: readers take
        // the same basis twice without harm, and a basis is never left unpublished.
        published = null;
        for (byte[] e : pending.restore(pendingFrom)) {
            Codecs.KeyedResidual r = Codecs.decodeKeyedResidual(e);
            learn(r.user(), r.residual());
        }
        context.schedule(Duration.ofMillis(SAVE_INTERVAL_MS), PunctuationType.WALL_CLOCK_TIME, t -> save());
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return;
        }
        pending.append(Codecs.encodeKeyedResidual(record.key(), record.value()));
        learn(record.key(), record.value());
        publishIfNew();
    }

    private void learn(String user, byte[] value) {
        Codecs.Residual r = Codecs.decodeResidual(value);
        basis.observe(user, r.item(), r.residual());
        if (++unreported == REPORT_EVERY) {
            report();
        }
    }

    /**
     * Sends the learner's basis to {@code residual-bases} when it is new. Not from {@link #init}: the sink is not
     * ready while the pending residuals are learned again there, so a basis they complete goes at the next record
     * or save.
     */
    private void publishIfNew() {
        ItemBasis now = basis.current();
        if (now != published) {
            published = now;
            context.forward(new Record<>(BASIS_KEY, now.toBytes(), context.currentSystemTimeMs()));
        }
    }

    /** Writes what the learner changed since the last save, and forgets the residuals that covers. */
    private void save() {
        publishIfNew();
        basis.drainChanges((key, value) -> {
            if (value == null) {
                store.delete(key);
            } else {
                store.put(key, value);
            }
        });
        pending.clear();
        store.put(
                PENDING_FROM,
                ByteBuffer.allocate(8).putLong(pending.flushedBefore()).array());
        report();
    }

    private void report() {
        listener.residualsLearned(unreported, basis.users());
        unreported = 0;
    }

    @Override
    public void close() {
        listener.residualsLearned(unreported, 0);
        unreported = 0;
    }
}
