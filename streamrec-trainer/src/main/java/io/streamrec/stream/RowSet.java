package io.streamrec.stream;

import java.util.Arrays;
import java.util.BitSet;

/** Row indices of a task's table, each held once, in the order they were first added. */
final class RowSet {
    private final BitSet members = new BitSet();
    private int[] rows = new int[64];
    private int size;

    void add(int row) {
        if (!members.get(row)) {
            members.set(row);
            if (size == rows.length) {
                rows = Arrays.copyOf(rows, size * 2);
            }
            rows[size++] = row;
        }
    }

    int size() {
        return size;
    }

    /** The {@code k}-th row added. */
    int get(int k) {
        return rows[k];
    }

    void clear() {
        members.clear();
        size = 0;
    }
}
