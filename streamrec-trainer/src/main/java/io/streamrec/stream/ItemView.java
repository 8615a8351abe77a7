package io.streamrec.stream;

import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;

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
 *
 * <p>State: one view per item row of a user task's {@link LocalItems}, read and written by that task's stream
 * thread only; {@link #source} is a slot of {@link PublishedRows} that the global thread fills.
 */
final class ItemView {
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
    /** The sum of the deltas held, unsent ones included (null before the first step): a rebase adds one row. */
    float[] sum;
    /**
     * Local steps whose gradients the task has not sent yet (it sends once per flush interval): no published
     * version can hold them, so a rebase keeps them whatever its flush time; {@link #markSent} dates them.
     */
    private float[] unsent;

    private boolean hasUnsent;

    /** Drops the buckets that may hold steps the version flushed at {@code flushedAt} contains; adds the others
     * to its row at {@code p}. */
    void rebase(long flushedAt, float[] params, int p) {
        while (size > 0 && bucketStart[head] <= flushedAt) {
            drop();
        }
        if (sum == null) {
            return;
        }
        if (size == 0) {
            // What is left are the unsent steps alone: copied rather than left as a difference of float sums.
            System.arraycopy(unsent, 0, sum, 0, width);
            if (!hasUnsent) {
                return;
            }
        }
        for (int j = 0; j < width; j++) {
            params[p + j] += sum[j];
        }
    }

    /** Records a step sent at {@code at}: the row's change from {@code before[b..]} to {@code after[a..]}. */
    void add(long at, float[] after, int a, float[] before, int b, int w) {
        init(w);
        int d = bucket(at);
        for (int j = 0; j < w; j++) {
            float delta = after[a + j] - before[b + j];
            deltas[d + j] += delta;
            sum[j] += delta;
        }
    }

    /** Records a local step whose gradient is not sent yet: the row's change from {@code before} to {@code after}. */
    void addUnsent(float[] after, int a, float[] before, int b, int w) {
        init(w);
        for (int j = 0; j < w; j++) {
            float delta = after[a + j] - before[b + j];
            unsent[j] += delta;
            sum[j] += delta;
        }
        hasUnsent = true;
    }

    /** The gradients of the unsent steps went out at {@code at}: from now on they are dated like any sent step. */
    void markSent(long at) {
        if (!hasUnsent) {
            return;
        }
        int d = bucket(at);
        for (int j = 0; j < width; j++) {
            deltas[d + j] += unsent[j];
            unsent[j] = 0f;
        }
        hasUnsent = false;
    }

    private void init(int w) {
        if (sum == null) {
            width = w;
            sum = new float[w];
            unsent = new float[w];
        }
    }

    /** The offset in {@link #deltas} of the bucket of {@code at}, the newest one, opened when needed. */
    private int bucket(long at) {
        int w = width;
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
        return d;
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
