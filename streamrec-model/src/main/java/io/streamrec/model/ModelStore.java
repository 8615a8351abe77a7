package io.streamrec.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.StampedLock;

/**
 * The latest model held in memory, compactly: per kind an id-to-index {@code HashMap}, a {@code float[]} of
 * biases and one row-major {@code float[]} of factors; item norms are cached for cosine similarity.
 *
 * <h2>Scores</h2>
 * The raw score is {@code ((base + b_u) + b_i) + dot(p_u, q_i)}, summed in double in that order from the
 * float values, where {@code dot} is accumulated in float by the plain loop {@code for f: s += p[f] * q[f]}
 * and {@code base} is {@link ModelMeta#scoreBase(double)} of {@link #globalMean()}; the prediction is
 * {@link ModelMeta#link(double)} of it. That is the trainer's {@code Model.predictScore(Model.score(..))}.
 * The global mean is the sum of the label sums of every {@code mean:*} record over the sum of their counts,
 * or the meta record's {@code globalMean} while there is no such record (or their counts sum to zero).
 * An unknown user or item contributes zero bias and zero factors (so an unknown user ranks items by
 * {@code base + b_i}, their popularity by bias). Until a meta record arrives the store scores as a
 * {@code biased-mf} model with global mean 0 and no clamping.
 *
 * <h2>Top-k</h2>
 * {@link #recommend} and {@link #similarItems} are exact: they offer every item, in index order and in blocks of
 * {@value ItemScan#BLOCK} (dot products first so the loop has no branches, then selection), to a bounded min-heap held
 * in primitive arrays. A per-thread {@link ItemScan} makes the scan allocation-free; only the
 * returned list is allocated. Ties keep the item that arrived first. Recommendations are ranked by raw score
 * (the link is monotonic), so items that clamp to {@code maxLabel} keep their order.
 *
 * <p>A query reads every item's factors, so it is bound by memory bandwidth. With an {@link ApproxKernel} (the
 * JVM started with {@code --add-modules jdk.incubator.vector}) the store also keeps an 8-bit copy of the item
 * factors, a quarter of the bytes, and once the heap is full scans that copy first: an item whose upper bound
 * ({@link QuantizedRows}) ranks below the worst kept item is skipped, and only the others are scored in float.
 * The heap then sees the same offers in the same order, minus ones it would have refused, so the result is
 * identical to the float scan's, ties and scores that overflow to infinity or NaN included.
 *
 * <h2>Threads</h2>
 * One writer ({@link #apply}) and any number of readers. A {@link StampedLock} guards the tables: readers hold
 * the read lock for one whole query (a 100k-item scan takes about a millisecond), the writer takes the write
 * lock once per batch. StampedLock queues new readers behind a waiting writer, so a steady read load cannot
 * starve the writer. Counters ({@link #modelVersion()} and friends) are volatile and read without the lock.
 */
public final class ModelStore {

    private static final ModelMeta NO_META =
            new ModelMeta(ModelKind.BIASED_MF, 0, 0.0, 0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, null, 0);

    private final StampedLock lock = new StampedLock();
    private final FactorTable users = new FactorTable(RowKind.USER, false, false);
    private final FactorTable items;
    private final ApproxKernel kernel;
    private final ThreadLocal<ItemScan> scratch = ThreadLocal.withInitial(ItemScan::new);
    private int k = -1;
    private volatile ModelMeta meta;
    /** Label sums by {@code mean:*} key: {sum, count}. */
    private final Map<String, double[]> means = new TreeMap<>();

    private final Map<Integer, GateState> gates = new java.util.concurrent.ConcurrentHashMap<>();
    /** {sum, count} over {@link #means}; replaced whole, so lock-free readers never see half an update. */
    private volatile double[] meanTotals = {0.0, 0.0};

    private volatile long modelVersion;
    private volatile long lastUpdate;
    private volatile int userCount;
    private volatile int itemCount;

    /** A store whose top-k scan uses {@link ApproxKernel#best()}. */
    public ModelStore() {
        this(ApproxKernel.best());
    }

    /** A store whose top-k scan first runs {@code kernel} over an 8-bit copy, or scores every item when null. */
    ModelStore(ApproxKernel kernel) {
        this.kernel = kernel;
        this.items = new FactorTable(RowKind.ITEM, true, kernel != null);
    }

    /** Which first stage the top-k scan runs: a kernel name, or {@code float} when every item is scored in float. */
    public String topKKernel() {
        return kernel == null ? "float" : kernel.name();
    }

    /** What a batch did: the row changes in order, and why any update was refused. */
    public record ApplyResult(List<RowChange> changes, List<String> rejections) {}

    /** Applies a batch of updates atomically with respect to readers. */
    public ApplyResult apply(List<? extends ModelUpdate> updates) {
        List<RowChange> changes = new ArrayList<>(updates.size());
        List<String> rejections = new ArrayList<>(0);
        long stamp = lock.writeLock();
        try {
            for (ModelUpdate update : updates) {
                String rejection = applyLocked(update, changes);
                if (rejection != null) {
                    rejections.add(rejection);
                }
            }
            userCount = users.size();
            itemCount = items.size();
        } finally {
            lock.unlockWrite(stamp);
        }
        return new ApplyResult(changes, rejections);
    }

    /** Applies one update; returns the row change (null for meta or a no-op) or throws when refused. */
    public RowChange apply(ModelUpdate update) {
        ApplyResult result = apply(List.of(update));
        if (!result.rejections().isEmpty()) {
            throw new IllegalArgumentException(result.rejections().get(0));
        }
        return result.changes().isEmpty() ? null : result.changes().get(0);
    }

    /** Upserts a row; shorthand for {@code apply(new ModelUpdate.Row(row))}. */
    public RowChange upsert(ModelRow row) {
        return apply(new ModelUpdate.Row(row));
    }

    private String applyLocked(ModelUpdate update, List<RowChange> changes) {
        if (update instanceof ModelUpdate.Row r) {
            ModelRow row = r.row();
            int n = row.factors().length;
            if (k < 0) {
                setDimension(n);
            } else if (n != k) {
                return row.key() + ": expected " + k + " factors, got " + n;
            }
            RowChange change = table(row.kind()).upsert(row);
            modelVersion += row.version() - (change.isInsert() ? 0 : change.oldVersion());
            lastUpdate = Math.max(lastUpdate, row.updatedAt());
            changes.add(change);
        } else if (update instanceof ModelUpdate.Meta m) {
            ModelMeta next = m.meta();
            if (k >= 0 && next.factors() != k) {
                if (users.size() + items.size() > 0) {
                    return "meta: factors " + next.factors() + " disagrees with the " + k + " factors of the rows held";
                }
            }
            setDimension(next.factors());
            meta = next;
            lastUpdate = Math.max(lastUpdate, next.updatedAt());
        } else if (update instanceof ModelUpdate.RowTombstone t) {
            RowChange change = table(t.kind()).remove(t.id());
            if (change != null) {
                modelVersion -= change.oldVersion();
                changes.add(change);
            }
        } else if (update instanceof ModelUpdate.MetaTombstone) {
            meta = null;
        } else if (update instanceof ModelUpdate.Mean mean) {
            means.put(mean.key(), new double[] {mean.sum(), mean.count()});
            sumMeans();
        } else if (update instanceof ModelUpdate.MeanTombstone t) {
            if (means.remove(t.key()) != null) {
                sumMeans();
            }
        } else if (update instanceof ModelUpdate.Gate g) {
            gates.put(g.state().partition(), g.state());
        } else if (update instanceof ModelUpdate.GateTombstone t) {
            gates.remove(t.partition());
        }
        return null;
    }

    /** Recomputes the totals in key order, so that the same records always give the same bits. */
    private void sumMeans() {
        double sum = 0;
        double count = 0;
        for (double[] m : means.values()) {
            sum += m[0];
            count += m[1];
        }
        meanTotals = new double[] {sum, count};
    }

    private void setDimension(int n) {
        k = n;
        users.dimension(n);
        items.dimension(n);
    }

    private FactorTable table(RowKind kind) {
        return kind == RowKind.USER ? users : items;
    }

    /** The meta record, if one arrived. */
    public Optional<ModelMeta> meta() {
        return Optional.ofNullable(meta);
    }

    /**
     * The publication gates of the trainer's user partitions (docs/gate.md), by partition; empty when the trainer
     * runs without a gate. While one is closed, the model held here is the model as last accepted.
     */
    public java.util.SortedMap<Integer, GateState> gates() {
        return new TreeMap<>(gates);
    }

    /** False while the gate of some user partition is closed. */
    public boolean gateOpen() {
        for (GateState g : gates.values()) {
            if (!g.open()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The global label mean every score starts from: sum of the {@code mean:*} sums over the sum of their counts;
     * the meta record's {@code globalMean} when there is none; 0 before either arrived.
     */
    public double globalMean() {
        double[] totals = meanTotals;
        if (totals[1] > 0) {
            return totals[0] / totals[1];
        }
        ModelMeta m = meta;
        return m == null ? 0.0 : m.globalMean();
    }

    /** The {@code mean:*} records held (partitions and the snapshot). */
    public int meanRecords() {
        long stamp = lock.readLock();
        try {
            return means.size();
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Sum of {@code version} over the rows held. */
    public long modelVersion() {
        return modelVersion;
    }

    /** Largest {@code updatedAt} seen (epoch ms), 0 before any. */
    public long lastUpdate() {
        return lastUpdate;
    }

    public int userCount() {
        return userCount;
    }

    public int itemCount() {
        return itemCount;
    }

    public boolean hasUser(String user) {
        long stamp = lock.readLock();
        try {
            return users.indexOf(user) >= 0;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public boolean hasItem(String item) {
        long stamp = lock.readLock();
        try {
            return items.indexOf(item) >= 0;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Predicts the label (or probability) of {@code user} for {@code item}; unknown ids contribute zeros. */
    public Prediction predict(String user, String item) {
        long stamp = lock.readLock();
        try {
            ModelMeta m = metaOrDefault();
            int u = users.indexOf(user);
            int i = items.indexOf(item);
            double raw = m.scoreBase(globalMean());
            if (u >= 0) {
                raw += users.biasArray()[u];
            }
            if (i >= 0) {
                raw += items.biasArray()[i];
            }
            if (u >= 0 && i >= 0) {
                raw += ItemScan.dot(users.factorArray(), u * k, items.factorArray(), i * k, k);
            }
            return new Prediction(m.link(raw), u >= 0, i >= 0);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * The {@code k} items with the highest predictions for {@code user}, best first, skipping {@code exclude}
     * (ids not in the model are ignored). An unknown user gets the items with the highest bias. Returns fewer
     * than {@code k} when fewer items remain.
     */
    public List<ScoredItem> recommend(String user, int k, Set<String> exclude) {
        requirePositive(k);
        long stamp = lock.readLock();
        try {
            int n = items.size();
            if (n == 0) {
                return List.of();
            }
            ItemScan s = scratch.get();
            ModelMeta m = metaOrDefault();
            int u = users.indexOf(user);
            double base = m.scoreBase(globalMean());
            if (u >= 0) {
                base += users.biasArray()[u];
                s.query(users.factorArray(), u * this.k, this.k);
            }
            s.exclude(items, exclude, -1);
            s.heap.reset(Math.min(k, n));
            s.scan(items, this.k, kernel, base, u >= 0, null, 0);
            int size = s.heap.drainBestFirst();
            List<ScoredItem> out = new ArrayList<>(size);
            for (int j = 0; j < size; j++) {
                out.add(new ScoredItem(items.id(s.heap.index(j)), m.link(s.heap.key(j))));
            }
            return out;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /**
     * The {@code k} items most similar to {@code item} by cosine of their factors, best first, without the item
     * itself; empty when the item is unknown. A zero factor vector has cosine 0 with everything.
     */
    public Optional<List<ScoredItem>> similarItems(String item, int k) {
        requirePositive(k);
        long stamp = lock.readLock();
        try {
            int q = items.indexOf(item);
            if (q < 0) {
                return Optional.empty();
            }
            int n = items.size();
            if (n == 1) {
                return Optional.of(List.of());
            }
            ItemScan s = scratch.get();
            s.query(items.factorArray(), q * this.k, this.k);
            s.exclude(items, Set.of(), q);
            s.heap.reset(Math.min(k, n - 1));
            s.scan(items, this.k, kernel, 0.0, true, items.normArray(), items.normArray()[q]);
            int size = s.heap.drainBestFirst();
            List<ScoredItem> out = new ArrayList<>(size);
            for (int j = 0; j < size; j++) {
                out.add(new ScoredItem(items.id(s.heap.index(j)), s.heap.key(j)));
            }
            return Optional.of(out);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** A copy of the factors of a held row, or null (tests). */
    float[] factorsOf(RowKind kind, String id) {
        long stamp = lock.readLock();
        try {
            FactorTable t = table(kind);
            int i = t.indexOf(id);
            return i < 0 ? null : Arrays.copyOfRange(t.factorArray(), i * k, i * k + k);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** The bias of a held row, or NaN (tests). */
    float biasOf(RowKind kind, String id) {
        long stamp = lock.readLock();
        try {
            FactorTable t = table(kind);
            int i = t.indexOf(id);
            return i < 0 ? Float.NaN : t.biasArray()[i];
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** The ids held of one kind, in index order (tests). */
    List<String> ids(RowKind kind) {
        long stamp = lock.readLock();
        try {
            FactorTable t = table(kind);
            List<String> out = new ArrayList<>(t.size());
            for (int i = 0; i < t.size(); i++) {
                out.add(t.id(i));
            }
            return out;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private ModelMeta metaOrDefault() {
        ModelMeta m = meta;
        return m == null ? NO_META : m;
    }

    private static void requirePositive(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
    }
}
