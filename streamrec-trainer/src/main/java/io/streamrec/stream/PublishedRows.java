package io.streamrec.stream;

import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The item rows, label sums and publication gates of {@code model-updates}, parsed once per published version by the global thread
 * that feeds the global store, for the user tasks of the same application instance to read. Without it every user
 * task looked each item up in the global store (a sorted map of byte keys) every refresh and parsed the row's JSON
 * again whenever it had changed: in the profile, about a fifth of the per-event cost of a user task.
 *
 * <p>It is a cache of the global store, filled by the global store's {@link StoreCopyProcessor} for every record of the topic,
 * those it reads at start-up to restore the store included (Kafka Streams passes them through the processor of a
 * global store added with {@code Topology#addGlobalStore}), and at start-up with the rows under {@link #PREFIXES}
 * that the store, on disk, kept from before. A row is never changed once here: a new version replaces the object,
 * so readers may compare by identity.
 */
final class PublishedRows {
    private final int width;
    private final int publishedWidth;
    private final ConcurrentHashMap<String, Slot> items = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, double[]> means = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, io.streamrec.model.GateState> gates = new ConcurrentHashMap<>();

    PublishedRows(int width) {
        this(width, width);
    }

    /** @param publishedWidth the rows' length in {@code model-updates}, of which the trainer keeps {@code width} */
    PublishedRows(int width, int publishedWidth) {
        this.width = width;
        this.publishedWidth = publishedWidth;
    }

    /** Records one {@code model-updates} record (null value: deleted). */
    void update(String key, byte[] value) {
        if (key.startsWith(ITEM_PREFIX)) {
            String id = key.substring(ITEM_PREFIX.length());
            slot(id).row = value == null ? null : ModelUpdates.parseRow(RowKind.ITEM, id, value, width, publishedWidth);
        } else if (key.startsWith(ModelKeys.GATE_PREFIX)) {
            gate(key, value);
        } else if (key.startsWith(ModelKeys.MEAN_PREFIX)) {
            double[] m = value == null ? null : ModelUpdates.parseMean(value);
            if (m == null) {
                means.remove(key);
            } else {
                means.put(key, m);
            }
        }
    }

    private static final String ITEM_PREFIX = ModelKeys.prefix(RowKind.ITEM);

    /** The key prefixes {@link #update} keeps: what the global store replays to it at start-up. */
    static final List<String> PREFIXES = List.of(ITEM_PREFIX, ModelKeys.GATE_PREFIX, ModelKeys.MEAN_PREFIX);

    /**
     * Where the newest published version of an item's row appears: a reader keeps the slot of each item it uses and
     * reads {@link Slot#row} (a volatile field) instead of looking the id up again.
     */
    Slot slot(String id) {
        Slot s = items.get(id);
        return s != null ? s : items.computeIfAbsent(id, k -> new Slot());
    }

    /** One item's newest published row: null when none (or not of this model's width). */
    static final class Slot {
        volatile ModelUpdates.ParsedRow row;
    }

    private void gate(String key, byte[] value) {
        try {
            if (io.streamrec.model.ModelRecordCodec.decode(key, value)
                    instanceof io.streamrec.model.ModelUpdate.Gate g) {
                gates.put(key, g.state());
            } else {
                gates.remove(key);
            }
        } catch (io.streamrec.model.MalformedRecordException e) {
            gates.remove(key);
        }
    }

    /** False while the published gate of some user partition is closed (docs/gate.md). */
    boolean gatesOpen() {
        for (io.streamrec.model.GateState g : gates.values()) {
            if (!g.open()) {
                return false;
            }
        }
        return true;
    }

    /** The rollbacks of all user partitions' gates as published: an item task rolls back when it grows. */
    long gateRollbacks() {
        long n = 0;
        for (io.streamrec.model.GateState g : gates.values()) {
            n += g.rollbacks();
        }
        return n;
    }

    /** A {@code mean:*} record as {sum, count}; null when none. */
    double[] mean(String key) {
        return means.get(key);
    }
}
