package io.streamrec.stream;

import io.streamrec.learn.FactorTable;
import io.streamrec.learn.GradientAccumulator;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.ItemBasis;
import io.streamrec.learn.Model;
import io.streamrec.learn.ResidualNeighbourhood;
import io.streamrec.learn.RowUpdater;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the item rows of one {@code item-gradients} partition. Each gradient batch the user tasks send (the
 * gradients of one user task's flush interval, summed per item) is one optimizer step with regularization for every
 * item it touches, as in offline mini-batch training, applied to the cached rows on arrival; the batch is kept in a changelogged store
 * until the stepped rows are saved (every {@code item.batch.size} events' worth of gradients, and before each
 * publication). Once per {@code flush.interval.ms} the rows stepped since the last publication go to
 * {@code model-updates}, from where every instance's global store picks them up. A restart replays the logged
 * batches, in order, onto the rows saved last, and republishes saved rows that a crash kept from being published.
 * While a user partition's publication gate is closed the changed rows wait, and a user partition's rollback rolls
 * them back ({@link ItemGate}, docs/gate.md).
 */
final class ItemTrainerProcessor implements Processor<Integer, byte[], String, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(ItemTrainerProcessor.class);
    private static final String STATE_KEY = Role.ITEM.label();
    /** Present in the task-state store while some saved item rows are not yet published. */
    static final String UNPUBLISHED_KEY = "item-unpublished";

    private final TrainerConfig config;
    private final Hyperparameters hyper;
    private final TrainerListener listener;
    private final int itemBatchSize;
    private final PublishedRows published;
    private ItemGate gate;
    /** The gate's check on exploded rows; null when the gate or the check is off. */
    private RowNormCheck norms;

    private ProcessorContext<String, byte[]> context;
    private PendingLog pending;
    private KeyValueStore<String, byte[]> stateStore;
    private Model model;
    private RowLoader items;
    private RowUpdater updater;
    private GradientAccumulator grads;
    /** {@code rows.ttl.ms}; null when rows never expire. */
    private RowExpiry expiry;

    private long pendingEvents;
    private long batchEvents;
    private long oldest = Long.MAX_VALUE;
    /** Rows stepped since the last save (written to the store at the next save). */
    private final RowSet unsaved = new RowSet();
    /** Rows stepped since the last publication (published on the next interval). */
    private UnpublishedRows unpublished;

    /** The instance's latest residual basis (null before the first); null without {@code model.neighbourhood}. */
    private final Supplier<ItemBasis> basis;
    /** The basis whose coordinates the rows published so far carry. */
    private ItemBasis publishedBasis;

    private long unpublishedEvents;
    private long eventsSeen;
    private long rowSteps;
    private int partition;

    ItemTrainerProcessor(TrainerConfig config, TrainerListener listener, PublishedRows published) {
        this(config, listener, published, null);
    }

    /** @param basis the instance's latest residual basis, whose coordinates item rows carry; null without the layer */
    ItemTrainerProcessor(
            TrainerConfig config, TrainerListener listener, PublishedRows published, Supplier<ItemBasis> basis) {
        this.basis = basis;
        this.config = config;
        this.published = published;
        this.hyper = config.hyperparameters();
        this.listener = listener;
        this.itemBatchSize = config.itemBatchSize();
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        KeyValueStore<String, byte[]> itemStore = context.getStateStore(Topics.ITEM_STORE);
        pending = context.getStateStore(Topics.ITEM_PENDING_STORE);
        stateStore = context.getStateStore(Role.ITEM.taskStateStore());
        unpublished = new UnpublishedRows(stateStore, UNPUBLISHED_KEY);
        KeyValueStore<String, byte[]> global = context.getStateStore(Topics.GLOBAL_ROWS_STORE);
        byte[] st = stateStore.get(STATE_KEY);
        Codecs.TaskState ts = st == null ? Codecs.TaskState.EMPTY : Codecs.decodeTaskState(st);
        eventsSeen = ts.eventsSeen();
        rowSteps = ts.rowSteps();
        model = new Model(hyper);
        items = new RowLoader(model.items(), itemStore, global, config.publishedWidth());
        updater = new RowUpdater(hyper);
        grads = new GradientAccumulator(hyper.width());
        for (byte[] batch : pending.restore(ts.pendingFrom())) {
            read(batch);
            step();
        }
        unpublished.restore(items);
        expiry = config.rowsTtlMs() > 0
                ? new RowExpiry(itemStore, config.rowsTtlMs(), context.currentSystemTimeMs())
                : null;
        gate = new ItemGate(published, stateStore);
        norms = config.gate().normCheck(hyper.minLabel(), hyper.maxLabel(), stateStore);
        FlushPunctuation.schedule(context, config.flushIntervalMs(), () -> {
            save();
            publish();
            if (norms != null) {
                norms.saveTo(stateStore);
            }
            long now = context.currentSystemTimeMs();
            // Saved and published: no row number is held anywhere, so rows may leave the table.
            if (expiry != null && unsaved.size() == 0 && unpublished.size() == 0 && expiry.due(now)) {
                expire(now);
            }
        });
    }

    @Override
    public void process(Record<Integer, byte[]> record) {
        // Read the whole batch before it joins the log, so that a bad record cannot poison a restart.
        read(record.value());
        pending.append(record.value());
        step();
        if (pendingEvents >= itemBatchSize) {
            save();
        }
    }

    /** Sums one gradient batch into {@link #grads}; on a malformed batch, forgets what it read and throws. */
    private void read(byte[] batch) {
        batchEvents = 0;
        try {
            Codecs.readGradientBatch(batch, hyper.width(), this::accumulate);
        } catch (RuntimeException e) {
            grads.clear();
            batchEvents = 0;
            throw e;
        }
    }

    /** One optimizer step for every item of the batch read; the rows wait in the cache until the flush. */
    private void step() {
        pendingEvents += batchEvents;
        float lr = (float) hyper.schedule().rate(eventsSeen);
        eventsSeen += batchEvents;
        if (grads.size() == 0) {
            return;
        }
        for (int s = 0; s < grads.size(); s++) {
            int row = grads.row(s);
            oldest = Math.min(oldest, grads.oldestEventTime(s));
            unsaved.add(row);
            unpublished.add(row);
        }
        rowSteps += grads.size();
        updater.apply(model.items(), grads, lr);
    }

    /**
     * At a new basis, publishes again this task's rows that are in it or were in the last one, in memory or only in
     * its store (a task started since it last trained them), so that clients find every basis item's coordinates in
     * one basis: a few hundred rows per new basis, and bases come rarer as the stream grows. Called at the
     * publication, after the save: the rows are as saved.
     */
    private void republishOnNewBasis(ItemBasis now) {
        if (now == publishedBasis) {
            return;
        }
        for (ItemBasis b : new ItemBasis[] {now, publishedBasis}) {
            for (int place = 0; b != null && place < b.size(); place++) {
                int row = items.findOwn(b.id(place));
                if (row >= 0) {
                    unpublished.add(row);
                }
            }
        }
        unpublished.saved();
        publishedBasis = now;
    }

    private void accumulate(String item, int events, long oldestEvent, float[] grad) {
        grads.addSum(items.row(item), grad, 0, events, oldestEvent);
        batchEvents += events;
    }

    /**
     * Writes the rows stepped since the last save to the store and forgets the logged batches they include: every
     * {@code item.batch.size} events' worth of gradients, and before each publication. Saving often keeps the log
     * of pending batches short, so that few of them reach its changelog before they are deleted.
     */
    private void save() {
        if (unsaved.size() == 0) {
            return;
        }
        long now = context.currentSystemTimeMs();
        for (int k = 0; k < unsaved.size(); k++) {
            items.save(unsaved.get(k), now);
        }
        unsaved.clear();
        unpublishedEvents += pendingEvents;
        pendingEvents = 0;
        unpublished.saved();
        pending.clear();
        stateStore.put(
                STATE_KEY,
                Codecs.encodeTaskState(new Codecs.TaskState(0, 0, eventsSeen, rowSteps, pending.flushedBefore())));
    }

    /**
     * Publishes every row stepped since the last publication, once, on the flush interval (under exactly-once a
     * version becomes visible at the next commit anyway, so publishing more often only writes versions no reader
     * sees). A restart after a save but before the publication finds the saved rows through the marker in the
     * task-state store, as the user task does.
     */
    private void publish() {
        if (!gate.allows(() -> rollBack(context.currentSystemTimeMs()))) {
            return;
        }
        // The instance's latest basis, read once: the rows republished for it are the rows published with it.
        ItemBasis current = basis == null ? null : basis.get();
        republishOnNewBasis(current);
        int n = unpublished.size();
        if (n == 0) {
            return;
        }
        long start = System.nanoTime();
        long now = context.currentSystemTimeMs();
        float lr = (float) hyper.schedule().rate(eventsSeen);
        FactorTable table = model.items();
        int w = hyper.width();
        // Each item row carries its coordinates in that basis.
        RowTail tail =
                basis == null ? RowTail.NONE : (id, out, off) -> ResidualNeighbourhood.itemTail(current, id, out, off);
        for (int k = 0; k < n; k++) {
            int row = unpublished.get(k);
            if (!ModelUpdates.isFinite(table.params(), row * w, w)) {
                // JSON has no NaN and the client could not read the row: keep the last good one published.
                LOG.warn("item row {} has a non-finite value; not published", table.id(row));
                continue;
            }
            if (norms != null && norms.exploded(table.params(), row * w, w)) {
                // As a non-finite row: the last accepted version stays published. Item rows take gradients from
                // every user partition, so no single user partition's gate could judge them.
                LOG.warn(
                        "item row {} has exploded: norm {} above {}; not published",
                        table.id(row),
                        RowNormCheck.norm(table.params(), row * w, w),
                        norms.bound());
                continue;
            }
            context.forward(
                    new Record<>(
                            ModelKeys.row(RowKind.ITEM, table.id(row)),
                            RowTail.row(
                                    RowKind.ITEM,
                                    table.id(row),
                                    table.params(),
                                    row * w,
                                    w,
                                    tail,
                                    config.publishedWidth() - w,
                                    table.version(row),
                                    table.updates(row),
                                    now),
                            now),
                    StreamTopology.ITEM_MODEL_SINK);
            if (norms != null) {
                norms.accepted(table.params(), row * w, w);
            }
        }
        unpublished.published();
        long events = unpublishedEvents;
        long oldestEvent = oldest == Long.MAX_VALUE ? now : oldest;
        unpublishedEvents = 0;
        oldest = Long.MAX_VALUE;
        listener.rowsPublished(Role.ITEM.label(), n, oldestEvent);
        listener.flushed(Role.ITEM.label(), (int) events, System.nanoTime() - start, Double.NaN, lr);
        listener.modelRows(Role.ITEM.label(), partition, table.size());
        listener.modelVersion(Role.ITEM.label(), partition, rowSteps);
        context.forward(
                new Record<>(
                        "item-" + partition,
                        new TrainingMetrics(
                                        partition,
                                        Role.ITEM,
                                        (int) events,
                                        TrainingMetrics.Quality.NONE,
                                        Double.NaN,
                                        lr,
                                        rowSteps,
                                        now - oldestEvent,
                                        now)
                                .encode(),
                        now),
                StreamTopology.ITEM_METRICS_SINK);
    }

    /**
     * {@code rows.ttl.ms}: deletes the item rows no save touched for longer than the TTL from the store and memory
     * and tombstones them on {@code model-updates}. An item that comes back starts from its initial row.
     */
    private void expire(long now) {
        java.util.List<String> expired = expiry.sweep(now);
        if (expired.isEmpty()) {
            return;
        }
        FactorTable table = model.items();
        boolean[] remove = new boolean[table.size()];
        for (String id : expired) {
            int r = table.indexOf(id);
            if (r >= 0) {
                remove[r] = true;
            }
            context.forward(
                    new Record<>(ModelKeys.row(RowKind.ITEM, id), (byte[]) null, now), StreamTopology.ITEM_MODEL_SINK);
        }
        table.removeRows(remove, (from, to) -> {});
        listener.rowsExpired("item", expired.size());
        listener.modelRows("item", partition, table.size());
    }

    /** A user partition rolled back (docs/gate.md): changed rows go back to their published versions. */
    private void rollBack(long now) {
        for (int k = 0; k < unpublished.size(); k++) {
            items.revert(unpublished.get(k), now);
        }
        unpublished.published();
        unpublishedEvents = 0;
        oldest = Long.MAX_VALUE;
        listener.gateRolledBack("item", partition);
        LOG.warn("item partition {}: rows rolled back to the last accepted (published) model", partition);
    }

    @Override
    public void close() {
        listener.taskClosed(Role.ITEM.label(), partition);
    }
}
