package io.streamrec.stream;

import io.streamrec.learn.FactorTable;
import io.streamrec.learn.GradientAccumulator;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.Model;
import io.streamrec.learn.RowKind;
import io.streamrec.learn.RowUpdater;
import java.time.Duration;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Owns the item rows of one {@code item-gradients} partition. It sums the gradients the user tasks send (kept in
 * a changelogged store until applied), and on its flush (every {@code item.batch.size} events' worth of gradients
 * or {@code flush.interval.ms}) each touched item takes one optimizer step with regularization, is saved, and is
 * published to {@code model-updates}, from where every instance's global store picks it up.
 */
final class ItemTrainerProcessor implements Processor<Integer, byte[], String, byte[]> {
    private static final String STATE_KEY = "item";

    private final TrainerConfig config;
    private final Hyperparameters hyper;
    private final TrainerListener listener;
    private final int itemBatchSize;
    private ProcessorContext<String, byte[]> context;
    private PendingLog pending;
    private KeyValueStore<String, byte[]> stateStore;
    private Model model;
    private RowLoader items;
    private RowUpdater updater;
    private GradientAccumulator grads;
    private long pendingEvents;
    private long eventsSeen;
    private long rowSteps;
    private int partition;

    ItemTrainerProcessor(TrainerConfig config, TrainerListener listener) {
        this.config = config;
        this.hyper = config.hyperparameters();
        this.listener = listener;
        this.itemBatchSize = config.itemBatchSize();
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        KeyValueStore<String, byte[]> itemStore = context.getStateStore(Topics.ITEM_STORE);
        pending = new PendingLog(context.getStateStore(Topics.ITEM_PENDING_STORE));
        stateStore = context.getStateStore(Topics.TASK_STATE_STORE + "-item");
        KeyValueStore<String, byte[]> global = context.getStateStore(Topics.GLOBAL_ROWS_STORE);
        byte[] st = stateStore.get(STATE_KEY);
        Codecs.TaskState ts = st == null ? Codecs.TaskState.EMPTY : Codecs.decodeTaskState(st);
        eventsSeen = ts.eventsSeen();
        rowSteps = ts.rowSteps();
        model = new Model(hyper);
        items = new RowLoader(model.items(), itemStore, global);
        updater = new RowUpdater(hyper);
        grads = new GradientAccumulator(hyper.width());
        for (byte[] batch : pending.restore()) {
            Codecs.readGradientBatch(batch, hyper.width(), this::accumulate);
        }
        context.schedule(Duration.ofMillis(config.flushIntervalMs()), PunctuationType.WALL_CLOCK_TIME, t -> flush());
    }

    @Override
    public void process(Record<Integer, byte[]> record) {
        // Validate the whole batch before it joins the log, so that a bad record cannot poison a restart.
        Codecs.readGradientBatch(record.value(), hyper.width(), (id, events, oldest, grad) -> { });
        pending.append(record.value());
        Codecs.readGradientBatch(record.value(), hyper.width(), this::accumulate);
        if (pendingEvents >= itemBatchSize) {
            flush();
        }
    }

    private void accumulate(String item, int events, long oldest, float[] grad) {
        grads.addSum(items.row(item), grad, 0, events, oldest);
        pendingEvents += events;
    }

    private void flush() {
        if (grads.size() == 0) {
            return;
        }
        long start = System.nanoTime();
        long now = System.currentTimeMillis();
        float lr = (float) hyper.schedule().rate(eventsSeen);
        int[] touched = new int[grads.size()];
        long oldest = Long.MAX_VALUE;
        for (int s = 0; s < touched.length; s++) {
            touched[s] = grads.row(s);
            oldest = Math.min(oldest, grads.oldestEventTime(s));
        }
        updater.apply(model.items(), grads, lr);
        FactorTable table = model.items();
        int w = hyper.width();
        for (int row : touched) {
            items.save(row);
            context.forward(new Record<>(ModelUpdates.key(RowKind.ITEM, table.id(row)),
                    ModelUpdates.row(RowKind.ITEM, table.id(row), table.params(), row * w, w, table.version(row),
                            table.updates(row), now), now), StreamTopology.ITEM_MODEL_SINK);
        }
        long events = pendingEvents;
        eventsSeen += events;
        rowSteps += touched.length;
        pendingEvents = 0;
        stateStore.put(STATE_KEY, Codecs.encodeTaskState(new Codecs.TaskState(0, 0, eventsSeen, rowSteps)));
        pending.clear();
        listener.rowsPublished("item", touched.length, oldest);
        listener.flushed("item", (int) events, System.nanoTime() - start, Double.NaN, lr);
        listener.modelRows("item", partition, table.size());
        listener.modelVersion("item", partition, rowSteps);
        context.forward(new Record<>("item-" + partition, TrainingMetrics.record(partition, "item", (int) events,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, lr, rowSteps, now - oldest, now), now),
                StreamTopology.ITEM_METRICS_SINK);
    }

    @Override
    public void close() {
        listener.taskClosed("item", partition);
    }
}
