package io.streamrec.model;

/**
 * The keys of {@code model-updates}, defined once for the trainer that writes them and the client that reads them:
 * {@code user:<id>}, {@code item:<id>}, {@code mean:<partition>}, {@code mean:snapshot}, {@code gate:<partition>} and {@code meta}.
 * The id is everything after the first colon, so ids may themselves contain colons.
 */
public final class ModelKeys {
    /** Key of the metadata record. */
    public static final String META = "meta";
    /** Key prefix of the label-sum records, {@code mean:<partition>} and {@code mean:snapshot}. */
    public static final String MEAN_PREFIX = "mean:";
    /** Suffix of the label sums of the snapshot the model was seeded from; its partition is -1. */
    public static final String MEAN_SNAPSHOT = "snapshot";
    /** Key prefix of the publication gate records, {@code gate:<partition>} ({@link GateState}). */
    public static final String GATE_PREFIX = "gate:";
    /** Key of the label sums of the seeding snapshot. */
    public static final String MEAN_SNAPSHOT_KEY = MEAN_PREFIX + MEAN_SNAPSHOT;

    private ModelKeys() {}

    /** {@code user:<id>} or {@code item:<id>}. */
    public static String row(RowKind kind, String id) {
        return prefix(kind) + id;
    }

    /** {@code user:} or {@code item:}: the prefix every key of that kind starts with. */
    public static String prefix(RowKind kind) {
        return kind.prefix() + ":";
    }

    /** The key of the label sums of {@code partition}, or of the snapshot when it is -1. */
    public static String mean(int partition) {
        return MEAN_PREFIX + (partition < 0 ? MEAN_SNAPSHOT : Integer.toString(partition));
    }

    /** The key of the publication gate of user partition {@code partition}. */
    public static String gate(int partition) {
        return GATE_PREFIX + partition;
    }

    /** The row kind a key names, or null when it is not {@code user:<id>} or {@code item:<id>}. */
    public static RowKind rowKind(String key) {
        int colon = key.indexOf(':');
        if (colon < 0) {
            return null;
        }
        for (RowKind kind : RowKind.values()) {
            if (kind.prefix().length() == colon && key.startsWith(kind.prefix())) {
                return kind;
            }
        }
        return null;
    }
}
