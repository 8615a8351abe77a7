package io.streamrec.model;

/**
 * A row of the model changed.
 *
 * @param kind       user or item
 * @param id         the row's id
 * @param oldVersion version held before, {@link #ABSENT} when the row is new
 * @param newVersion version held now, {@link #ABSENT} when a tombstone removed the row
 */
public record RowChange(RowKind kind, String id, long oldVersion, long newVersion) {
    /** Marks a version that does not exist (row new, or removed). */
    public static final long ABSENT = -1;

    public boolean isInsert() {
        return oldVersion == ABSENT;
    }

    public boolean isRemoval() {
        return newVersion == ABSENT;
    }
}
