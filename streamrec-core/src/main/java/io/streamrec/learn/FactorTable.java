package io.streamrec.learn;

import io.streamrec.model.RowKind;
import java.util.Arrays;

/**
 * The rows of one kind (users or items): for each id a bias and a factor vector, the optimizer's per-row state,
 * the row version (optimizer steps applied) and the number of events that updated the row.
 *
 * <p>Rows are stored densely in primitive arrays indexed by a row number that the table assigns on first sight of
 * an id; row {@code r}'s parameters are {@code params[r*width .. (r+1)*width)}, bias first. The ids and the index
 * from id to row are {@link RowIds}: primitive arrays, not a map of boxed row numbers. Not thread-safe.
 */
public final class FactorTable {
    private final RowKind kind;
    private final int width;
    private final int stateSize;
    private final RowInitializer initializer;
    private final RowIds ids = new RowIds();
    private float[] params;
    private float[] state;
    private int[] version;
    private long[] updates;

    public FactorTable(RowKind kind, int width, int stateSize, RowInitializer initializer) {
        this.kind = kind;
        this.width = width;
        this.stateSize = stateSize;
        this.initializer = initializer;
        int capacity = RowIds.INITIAL_ROWS;
        params = new float[capacity * width];
        state = new float[capacity * stateSize];
        version = new int[capacity];
        updates = new long[capacity];
    }

    public RowKind kind() {
        return kind;
    }

    public int width() {
        return width;
    }

    public int stateSize() {
        return stateSize;
    }

    /** Number of rows. */
    public int size() {
        return ids.size();
    }

    /** The row number of {@code id}, or -1 when the table has no such row. */
    public int indexOf(String id) {
        return ids.indexOf(id);
    }

    /** The row number of {@code id}, creating the row with its deterministic initial values when missing. */
    public int getOrCreate(String id) {
        int r = ids.indexOf(id);
        if (r >= 0) {
            return r;
        }
        int row = append(id);
        initializer.init(kind, id, params, row * width, width);
        return row;
    }

    /**
     * Inserts or replaces a row with given values (from a snapshot or a state store). {@code optimizerState} may
     * be null for a fresh optimizer state.
     */
    public int put(
            String id,
            float[] values,
            int offset,
            float[] optimizerState,
            int stateOffset,
            int rowVersion,
            long rowUpdates) {
        int row = indexOf(id);
        if (row < 0) {
            row = append(id);
        }
        System.arraycopy(values, offset, params, row * width, width);
        if (optimizerState != null) {
            System.arraycopy(optimizerState, stateOffset, state, row * stateSize, stateSize);
        } else {
            Arrays.fill(state, row * stateSize, (row + 1) * stateSize, 0f);
        }
        version[row] = rowVersion;
        updates[row] = rowUpdates;
        return row;
    }

    private int append(String id) {
        int row = ids.size();
        if (row == version.length) {
            int cap = RowIds.grow(row);
            params = Arrays.copyOf(params, cap * width);
            state = Arrays.copyOf(state, cap * stateSize);
            version = Arrays.copyOf(version, cap);
            updates = Arrays.copyOf(updates, cap);
        }
        ids.add(id);
        return row;
    }

    /** The id of row {@code row}, as a new string. */
    public String id(int row) {
        return ids.id(row);
    }

    /** The backing parameter array; row {@code r} starts at {@code r * width()}. Valid until the next insert. */
    public float[] params() {
        return params;
    }

    /** The backing optimizer-state array; row {@code r} starts at {@code r * stateSize()}. */
    public float[] state() {
        return state;
    }

    public float bias(int row) {
        return params[row * width];
    }

    /** A copy of the row's factors (without the bias). */
    public float[] factors(int row) {
        return Arrays.copyOfRange(params, row * width + 1, (row + 1) * width);
    }

    public int version(int row) {
        return version[row];
    }

    public long updates(int row) {
        return updates[row];
    }

    /** Records that the row took one optimizer step covering {@code events} events. */
    void touched(int row, int events) {
        version[row]++;
        updates[row] += events;
    }

    /** Records that the row took {@code steps} optimizer steps covering {@code events} events in all. */
    void touched(int row, int steps, long events) {
        version[row] += steps;
        updates[row] += events;
    }

    /** Told where a row that {@link #removeRows} kept moved to. */
    @FunctionalInterface
    public interface RowMove {
        void moved(int from, int to);
    }

    /**
     * Removes the rows where {@code remove[r]} is true and compacts the others to rows {@code 0 .. size()-1},
     * keeping their order; {@code moves} hears of every kept row whose number changed. Row numbers held elsewhere
     * are invalid afterwards unless remapped through {@code moves}.
     */
    public void removeRows(boolean[] remove, RowMove moves) {
        int n = ids.size();
        int to = 0;
        for (int from = 0; from < n; from++) {
            if (from < remove.length && remove[from]) {
                continue;
            }
            if (to != from) {
                System.arraycopy(params, from * width, params, to * width, width);
                System.arraycopy(state, from * stateSize, state, to * stateSize, stateSize);
                version[to] = version[from];
                updates[to] = updates[from];
                moves.moved(from, to);
            }
            to++;
        }
        ids.removeRows(remove);
        // Rows appended later expect what a new table holds there: zeros (an initializer writes only the params).
        Arrays.fill(params, to * width, n * width, 0f);
        Arrays.fill(state, to * stateSize, n * stateSize, 0f);
        Arrays.fill(version, to, n, 0);
        Arrays.fill(updates, to, n, 0L);
    }

    /** Sum of the row versions: the table's share of the model version. */
    public long versionSum() {
        long s = 0;
        for (int r = 0; r < ids.size(); r++) {
            s += version[r];
        }
        return s;
    }
}
