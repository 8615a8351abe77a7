package io.streamrec.stream;

import io.streamrec.eval.BinaryMetrics;
import io.streamrec.eval.WindowedError;
import io.streamrec.learn.FactorTable;
import io.streamrec.learn.GlobalMean;
import io.streamrec.learn.GradientAccumulator;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the user rows of one input partition. For each event it predicts first (progressive validation), then
 * adds the event to the mini-batch (kept in a changelogged store until flushed, so a crash loses none). A flush,
 * every {@code train.batch.size} events or {@code flush.interval.ms}, computes the batch's gradients against the item
 * rows of the global store, steps the user rows, publishes them, and sends the items' summed gradients to the item
 * tasks that own them, one packed record per destination partition.
 */
final class UserTrainerProcessor implements Processor<String, Object, Object, byte[]> {
    private static final Logger LOG = LoggerFactory.getLogger(UserTrainerProcessor.class);
    private static final String STATE_KEY = "user";
    /** Present in the task-state store while some saved user rows are not yet published (see {@link #publish}). */
    static final String UNPUBLISHED_KEY = "user-unpublished";

    private final TrainerConfig config;
    private final Hyperparameters hyper;
    private final TrainerListener listener;
    private final int batchSize;
    private final int partitions;
    private final PublishedRows published;
    /** One packed gradient record per item partition and flush; reused across flushes. */
    private final Codecs.GradientBatchWriter[] writers;
    private ProcessorContext<Object, byte[]> context;
    private KeyValueStore<String, byte[]> userStore;
    private PendingLog pending;
    private KeyValueStore<String, byte[]> stateStore;
    private KeyValueStore<String, byte[]> global;
    private Model model;
    private MiniBatchLearner learner;
    private RowLoader users;
    private GradientAccumulator userGrads;
    private GradientAccumulator itemGrads;
    /** Per item row of {@code model.items()}: what the task saw published and its own recent steps. */
    private ItemView[] views = new ItemView[256];
    /**
     * Advances at most every {@link #REFRESH_MS} between batches; the task looks for a newer published version of
     * an item (and of the other partitions' label sums) once per epoch. Published rows change at commit pace (tens
     * of milliseconds or more), so looking once per batch, thousands of times a second under a backlog, mostly
     * paid a store lookup to find the same bytes.
     */
    private long epoch;
    private long epochStartedAt;
    private static final long REFRESH_MS = 20;
    private final WindowedError window = new WindowedError(1000);
    private BinaryMetrics binary;
    /** The AUC of {@link #binary}, recomputed at most every {@link #AUC_EVERY_MS}: it scans the whole histogram. */
    private double auc = Double.NaN;
    private long aucAt;
    private static final long AUC_EVERY_MS = 1000;
    private long rowSteps;
    private long oldestIngest = Long.MAX_VALUE;
    private UnpublishedRows unpublished;
    private long oldestUnpublished = Long.MAX_VALUE;
    private int partition;
    /** Most user rows kept in memory ({@code user.cache.rows}); the least recently used beyond it are dropped. */
    private final int maxUsers;
    /** Per user row: the flush interval ({@link #tick}) of its last event. */
    private int[] lastUsed = new int[1024];
    private int tick;
    /** Scratch of {@link #stepItemsLocally}: the stepped rows and their values before the step. */
    private int[] stepRows = new int[0];
    private float[] stepBefore = new float[0];

    UserTrainerProcessor(TrainerConfig config, TrainerListener listener, PublishedRows published) {
        this.config = config;
        this.published = published;
        this.hyper = config.hyperparameters();
        this.listener = listener;
        this.batchSize = config.batchSize();
        this.partitions = config.partitions();
        this.writers = new Codecs.GradientBatchWriter[partitions];
        this.maxUsers = config.userCacheRows();
    }

    @Override
    public void init(ProcessorContext<Object, byte[]> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        userStore = context.getStateStore(Topics.USER_STORE);
        pending = context.getStateStore(Topics.USER_PENDING_STORE);
        stateStore = context.getStateStore(Topics.TASK_STATE_STORE + "-user");
        unpublished = new UnpublishedRows(stateStore, UNPUBLISHED_KEY);
        global = context.getStateStore(Topics.GLOBAL_ROWS_STORE);
        byte[] st = stateStore.get(STATE_KEY);
        Codecs.TaskState ts = st == null ? Codecs.TaskState.EMPTY : Codecs.decodeTaskState(st);
        model = new Model(hyper, new GlobalMean(ts.meanSum(), ts.meanCount()), ts.eventsSeen());
        rowSteps = ts.rowSteps();
        learner = new MiniBatchLearner(model, Integer.MAX_VALUE);
        users = new RowLoader(model.users(), userStore, global);
        userGrads = new GradientAccumulator(hyper.width());
        itemGrads = new GradientAccumulator(hyper.width());
        binary = hyper.kind() == ModelKind.LOGISTIC_MF ? new BinaryMetrics() : null;
        refreshExternalMean();
        // Events that joined a batch before a crash or a rebalance: rejoin them, unscored (they were scored then).
        for (byte[] e : pending.restore()) {
            addToBatch(Codecs.decodeEvent(e));
        }
        unpublished.restore(users);
        if (unpublished.size() > 0) {
            oldestUnpublished = context.currentSystemTimeMs();
        }
        context.schedule(Duration.ofMillis(config.flushIntervalMs()), PunctuationType.WALL_CLOCK_TIME, t -> {
            flush();
            publish();
            evictLeastRecentlyUsed();
            tick++;
        });
    }

    @Override
    public void process(Record<String, Object> record) {
        Event e = record.value() instanceof Event ev ? ev : Codecs.decodeEvent((byte[]) record.value());
        // Predict before the event creates any row: an unseen user or item contributes nothing (the global mean
        // fallback), as in offline progressive validation, instead of its random initial factors.
        int u = users.find(e.user());
        int i = itemRow(e.item(), false);
        double prediction = model.predictScore(model.score(u, i));
        listener.prequential(e.label(), prediction);
        window.add(e.label(), prediction);
        if (binary != null) {
            binary.add(e.label(), prediction);
        }
        listener.eventTrained();
        pending.append(Codecs.encodeEvent(e));
        u = u >= 0 ? u : users.row(e.user());
        i = i >= 0 ? i : itemRow(e.item(), true);
        used(u);
        learner.learn(u, i, e.label(), e.weight(), e.ingestTime());
        oldestIngest = Math.min(oldestIngest, e.ingestTime());
        if (learner.pending() >= batchSize) {
            flush();
        }
    }

    private void addToBatch(Event e) {
        int u = users.row(e.user());
        used(u);
        int i = itemRow(e.item(), true);
        learner.learn(u, i, e.label(), e.weight(), e.ingestTime());
        oldestIngest = Math.min(oldestIngest, e.ingestTime());
    }

    /**
     * The item's local row: the newest published version of it in the global store plus this task's own steps
     * that the published version cannot include yet (see {@link ItemView}); for an item with no row yet, its
     * initial row when {@code create}, else -1.
     */
    private int itemRow(String item, boolean create) {
        FactorTable items = model.items();
        int r = items.indexOf(item);
        ItemView view = r >= 0 ? viewOf(r) : null;
        // Look for a newer published version once per item and epoch (epochs change between batches, at most every
        // REFRESH_MS): the slot's row is a volatile field that the global thread writes, read once per event it
        // cost a cache-line transfer between cores whenever the item had a new version.
        if (view != null && view.seenInEpoch == epoch) {
            return r;
        }
        PublishedRows.Slot source = view != null && view.source != null ? view.source : published.slot(item);
        ModelUpdates.ParsedRow row = source.row;
        if (row == null || (view != null && view.published == row)) {
            if (r < 0) {
                if (!create) {
                    return -1;
                }
                r = items.getOrCreate(item);
            }
            view = viewOf(r);
            view.seenInEpoch = epoch;
            view.source = source;
            return r;
        }
        int w = hyper.width();
        if (r < 0) {
            r = items.put(item, row.params(), 0, null, 0, row.version(), row.updates());
            view = viewOf(r);
        } else {
            view = viewOf(r);
            // Keep the local optimizer state: it paces this task's own local steps on the row.
            System.arraycopy(row.params(), 0, items.params(), r * w, w);
            view.rebase(row.updatedAt(), items.params(), r * w);
        }
        view.seenInEpoch = epoch;
        view.published = row;
        view.source = source;
        return r;
    }

    /** The view of an item row of the task's table, created on first use. */
    private ItemView viewOf(int row) {
        if (row >= views.length) {
            views = java.util.Arrays.copyOf(views, Math.max(row + 1, views.length * 2));
        }
        ItemView v = views[row];
        if (v == null) {
            v = new ItemView();
            views[row] = v;
        }
        return v;
    }

    /**
     * What the task last saw of an item in the global store, and the task's own steps on the item that it applied
     * locally after sending their gradients (an asynchronous parameter-server worker's local copy): without them,
     * under a backlog the task would compute thousands of events' gradients against item rows that lack its own
     * recent steps. A published row is the item task's flush at {@code updatedAt}; a gradient batch sent after that
     * instant cannot be in it (it was not even written yet), so those steps are re-applied on top of the new row and
     * older ones dropped: never counted twice. Steps sent before the flush but committed after it are missing
     * until the next published version, which includes them.
     *
     * <p>Steps are kept summed per time bucket of {@code bucketMs} (aligned to multiples of it), not one by one: a
     * rebase drops every bucket that starts at or before the flush, so the steps of the bucket that straddles it
     * sent after the flush are missing until the next version too (at most {@code bucketMs} of them), and none is
     * ever counted twice. Under a backlog a task steps a popular item several times a millisecond; one entry per
     * step held hundreds of row deltas per item between two published versions, megabytes that pushed the task's
     * tables out of the CPU caches.
     */
    static final class ItemView {
        /** The bucket width of the trainer: a few ms, against the 100 ms or more between two published versions. */
        static final int BUCKET_MS = 5;
        private static final int MAX_BUCKETS = 256;
        /** The published version the local row was last based on (compared by identity). */
        ModelUpdates.ParsedRow published;
        /** Where newer published versions of the item appear. */
        PublishedRows.Slot source;
        long seenInEpoch = -1;
        /** The item's global-store key and owning slot, computed once (they were a string build and a murmur2
         * hash per lookup and per flush). */
        private String key;
        private int slot = -1;
        private final int bucketMs;

        ItemView() {
            this(BUCKET_MS);
        }

        ItemView(int bucketMs) {
            this.bucketMs = bucketMs;
        }

        String key(String item) {
            if (key == null) {
                key = ModelKeys.row(RowKind.ITEM, item);
            }
            return key;
        }

        int slot(String item, int slots) {
            if (slot < 0) {
                slot = StreamTopology.partitionOf(item, slots);
            }
            return slot;
        }
        /**
         * The buckets of steps not yet known to be in a published version, oldest first: a ring of {@code size}
         * entries from {@code head}, each a bucket start and the summed row delta of its steps (at
         * {@code entry * width} in {@code deltas}). Arrays rather than one object per bucket.
         */
        private long[] bucketStart = new long[0];
        private float[] deltas = new float[0];
        private int head;
        private int size;
        private int width;
        /** The sum of the deltas held (null before the first step), so that a rebase costs one row addition. */
        float[] sum;

        /** Drops the buckets that may hold steps the version flushed at {@code flushedAt} contains; adds the others
         * to its row at {@code p}. */
        void rebase(long flushedAt, float[] params, int p) {
            while (size > 0 && bucketStart[head] <= flushedAt) {
                drop();
            }
            if (size == 0) {
                if (sum != null) {
                    java.util.Arrays.fill(sum, 0f);
                }
                return;
            }
            for (int j = 0; j < width; j++) {
                params[p + j] += sum[j];
            }
        }

        /** Records a step sent at {@code at}: the row's change from {@code before[b..]} to {@code after[a..]}. */
        void add(long at, float[] after, int a, float[] before, int b, int w) {
            if (sum == null) {
                width = w;
                sum = new float[w];
            }
            long start = at - Math.floorMod(at, bucketMs);
            int last = size == 0 ? -1 : (head + size - 1) % bucketStart.length;
            int d;
            if (last >= 0 && bucketStart[last] == start) {
                d = last * w;
            } else {
                if (size == MAX_BUCKETS) {
                    drop();
                }
                if (size == bucketStart.length) {
                    grow();
                }
                int entry = (head + size) % bucketStart.length;
                bucketStart[entry] = start;
                d = entry * w;
                java.util.Arrays.fill(deltas, d, d + w, 0f);
                size++;
            }
            for (int j = 0; j < w; j++) {
                float delta = after[a + j] - before[b + j];
                deltas[d + j] += delta;
                sum[j] += delta;
            }
        }

        /** Records a step whose change is {@code delta}. */
        void add(long at, float[] delta) {
            add(at, delta, 0, new float[delta.length], 0, delta.length);
        }

        int buckets() {
            return size;
        }

        long oldestBucketStart() {
            return bucketStart[head];
        }

        private void grow() {
            int cap = Math.min(MAX_BUCKETS, Math.max(4, bucketStart.length * 2));
            long[] t = new long[cap];
            float[] dl = new float[cap * width];
            for (int k = 0; k < size; k++) {
                int from = (head + k) % bucketStart.length;
                t[k] = bucketStart[from];
                System.arraycopy(deltas, from * width, dl, k * width, width);
            }
            bucketStart = t;
            deltas = dl;
            head = 0;
        }

        private void drop() {
            int d = head * width;
            for (int j = 0; j < width; j++) {
                sum[j] -= deltas[d + j];
            }
            head = (head + 1) % bucketStart.length;
            size--;
        }
    }

    private void refreshExternalMean() {
        double sum = 0;
        double count = 0;
        for (int p = 0; p < partitions; p++) {
            if (p == partition) {
                continue;
            }
            double[] m = published.mean(ModelKeys.mean(p));
            if (m != null) {
                sum += m[0];
                count += m[1];
            }
        }
        double[] seed = published.mean(ModelKeys.MEAN_SNAPSHOT_KEY);
        if (seed != null) {
            sum += seed[0];
            count += seed[1];
        }
        model.mean().setExternal(sum, count);
    }

    private void flush() {
        int n = learner.pending();
        if (n == 0) {
            return;
        }
        long start = System.nanoTime();
        long now = context.currentSystemTimeMs();
        float lr = (float) hyper.schedule().rate(model.eventsSeen());
        double loss = learner.computeGradients(model.items().params(), userGrads, itemGrads);
        FactorTable items = model.items();
        int w = hyper.width();
        Codecs.GradientBatchWriter[] out = writers;
        for (int s = 0; s < itemGrads.size(); s++) {
            String item = items.id(itemGrads.row(s));
            int dest = viewOf(itemGrads.row(s)).slot(item, partitions);
            if (out[dest] == null) {
                out[dest] = new Codecs.GradientBatchWriter(w);
            }
            out[dest].add(item, itemGrads.count(s), itemGrads.oldestEventTime(s), itemGrads.gradients(), s * w);
        }
        for (int dest = 0; dest < partitions; dest++) {
            if (out[dest] != null && !out[dest].isEmpty()) {
                context.forward(new Record<>(dest, out[dest].toByteArray(), now), StreamTopology.ITEM_GRADIENTS_SINK);
                out[dest].reset();
            }
        }
        stepItemsLocally(lr, now);
        int[] touched = new int[userGrads.size()];
        for (int s = 0; s < touched.length; s++) {
            touched[s] = userGrads.row(s);
        }
        learner.applyUsers(userGrads, lr);
        FactorTable userTable = model.users();
        for (int row : touched) {
            users.save(row);
            unpublished.add(row);
        }
        unpublished.saved();
        rowSteps += touched.length;
        stateStore.put(STATE_KEY, Codecs.encodeTaskState(new Codecs.TaskState(model.mean().sum(),
                model.mean().count(), model.eventsSeen(), rowSteps)));
        pending.clear();
        long latency = now - oldestIngest;
        oldestUnpublished = Math.min(oldestUnpublished, oldestIngest);
        oldestIngest = Long.MAX_VALUE;
        if (now - epochStartedAt >= REFRESH_MS) {
            epoch++;
            epochStartedAt = now;
            refreshExternalMean();
        }
        long duration = System.nanoTime() - start;
        listener.flushed("user", n, duration, loss / n, lr);
        listener.modelRows("user", partition, userTable.size());
        listener.modelVersion("user", partition, rowSteps);
        context.forward(new Record<>("user-" + partition, TrainingMetrics.record(partition, "user", n,
                window.rmse(), window.mae(), binary == null ? Double.NaN : binary.logLoss(),
                binaryAuc(now), loss / n, lr, rowSteps, latency, now), now),
                StreamTopology.USER_METRICS_SINK);
    }

    private double binaryAuc(long now) {
        if (binary != null && now - aucAt >= AUC_EVERY_MS) {
            auc = binary.auc();
            aucAt = now;
        }
        return auc;
    }

    /**
     * Publishes every user row changed since the last publication, once, with the task's label sums: at most one
     * record per row and {@code flush.interval.ms}, however many mini-batches touched it (as a Kafka Streams
     * record cache coalesces a table's updates). Under a backlog a user's events arrive in runs, so publishing per
     * mini-batch wrote the same row several times per interval; a compacted topic's reader only keeps the last.
     * The rows are saved in the task's store at each flush; the {@link #UNPUBLISHED_KEY} marker, written in the
     * same transaction, tells a restarted task to look for saved rows that never reached {@code model-updates}.
     */
    private void publish() {
        int n = unpublished.size();
        if (n == 0) {
            return;
        }
        long now = context.currentSystemTimeMs();
        FactorTable userTable = model.users();
        int w = hyper.width();
        for (int k = 0; k < n; k++) {
            int row = unpublished.get(k);
            String id = userTable.id(row);
            if (!ModelUpdates.isFinite(userTable.params(), row * w, w)) {
                // JSON has no NaN and the client could not read the row: keep the last good one published.
                LOG.warn("user row {} has a non-finite value; not published", id);
                continue;
            }
            context.forward(new Record<>(ModelKeys.row(RowKind.USER, id), ModelUpdates.row(RowKind.USER, id,
                    userTable.params(), row * w, w, userTable.version(row), userTable.updates(row), now), now),
                    StreamTopology.USER_MODEL_SINK);
        }
        context.forward(new Record<>(ModelKeys.mean(partition),
                ModelUpdates.mean(partition, model.mean().sum(), model.mean().count()), now), StreamTopology.USER_MODEL_SINK);
        listener.rowsPublished("user", n, oldestUnpublished);
        unpublished.published();
        oldestUnpublished = Long.MAX_VALUE;
    }

    /** Applies the batch's item gradients (already sent) to the local item rows; remembers each step's change. */
    private void stepItemsLocally(float lr, long sentAt) {
        FactorTable items = model.items();
        float[] params = items.params();
        int w = hyper.width();
        int n = itemGrads.size();
        if (stepRows.length < n) {
            stepRows = new int[Math.max(n, stepRows.length * 2)];
            stepBefore = new float[stepRows.length * w];
        }
        for (int s = 0; s < n; s++) {
            stepRows[s] = itemGrads.row(s);
            System.arraycopy(params, stepRows[s] * w, stepBefore, s * w, w);
        }
        learner.updater().apply(items, itemGrads, lr);
        for (int s = 0; s < n; s++) {
            viewOf(stepRows[s]).add(sentAt, params, stepRows[s] * w, stepBefore, s * w, w);
        }
    }

    private void used(int row) {
        if (row >= lastUsed.length) {
            lastUsed = java.util.Arrays.copyOf(lastUsed, Math.max(row + 1, lastUsed.length * 2));
        }
        lastUsed[row] = tick;
    }

    /**
     * Past {@code user.cache.rows} rows in memory, drops the least recently used down to nine tenths of it (so that
     * it happens once per many intervals, not each one). Only between a flush and the next event, when no batch,
     * gradient or unpublished set refers to a row number: a dropped row is saved in the task's store (every flush
     * saves the rows it stepped; an unstepped row came from the store or the global store unchanged) and is read back
     * from there on its user's next event, optimizer state included, so dropping changes no result.
     */
    private void evictLeastRecentlyUsed() {
        FactorTable table = model.users();
        int n = table.size();
        if (n <= maxUsers || learner.pending() > 0 || unpublished.size() > 0) {
            return;
        }
        int drop = n - (maxUsers - maxUsers / 10);
        int[] sorted = java.util.Arrays.copyOf(lastUsed, n);
        java.util.Arrays.sort(sorted);
        int threshold = sorted[drop - 1];
        int below = 0;
        while (sorted[below] < threshold) {
            below++;
        }
        int atThreshold = drop - below;
        boolean[] remove = new boolean[n];
        for (int r = 0; r < n; r++) {
            if (lastUsed[r] < threshold || (lastUsed[r] == threshold && atThreshold-- > 0)) {
                remove[r] = true;
            }
        }
        table.removeRows(remove, (from, to) -> lastUsed[to] = lastUsed[from]);
        listener.modelRows("user", partition, table.size());
    }

    /** User rows in memory (for tests). */
    int usersInMemory() {
        return model.users().size();
    }

    @Override
    public void close() {
        listener.taskClosed("user", partition);
    }
}
