package io.streamrec.learn;

import java.util.Arrays;

/**
 * The ids of a {@link FactorTable}'s rows and the id-to-row index, in primitive arrays: row {@code r}'s id is
 * packed as bytes in one shared array, and an open-addressing table of row numbers (linear probing, at most half
 * full) finds a row by id.
 *
 * <p>Why: a {@code HashMap<String, Integer>} with a list of the ids holds per row a map entry, a boxed
 * {@code Integer}, a table slot and the {@code String} with its own byte array, about 100 bytes for a short id; here
 * a row costs its id's bytes, a start offset, its hash and one or two slots of the table, 12 bytes and the id's
 * bytes. A trainer's user task holds up to a million rows (docs/benchmarks.md, "Memory per user row").
 *
 * <p>Ids are packed one char at a time as modified UTF-8 does it (1 byte for 1..0x7f, 2 up to 0x7ff and for 0, 3
 * above): a prefix code, so distinct strings, unpaired surrogates included, never share a packing, and an id is
 * compared with a {@code String} char by char without building either. {@link #id} builds a new {@code String}.
 *
 * <p>Capacities, here and in {@link FactorTable}, are 8 rows short of a power of two ({@link #grow}), and the
 * hash table 4 slots short: the arrays' sizes, with their 16-byte header, then stay within a power of two bytes.
 * At a power of two rows each large array would spill 16 bytes into one more G1 heap region (a region of 4 MB for
 * a heap of 6 GB), a region per array that holds nothing: about 30 bytes per row at a million rows.
 * Not thread-safe.
 */
final class RowIds {
    /** Rows of a new table. */
    static final int INITIAL_ROWS = 1024 - 8;

    private static final int EMPTY = -1;

    /** The packed ids: row {@code r}'s are {@code bytes[start[r] .. start[r+1])}. */
    private byte[] bytes = new byte[8192 - 16];

    private int[] start = new int[INITIAL_ROWS + 1];
    /** {@code String.hashCode()} of each row's id, kept so that growing the table needs no id rebuilt. */
    private int[] hashes = new int[INITIAL_ROWS];
    /** Row numbers by hash slot, {@link #EMPTY} where none. */
    private int[] slots = emptySlots(2048 - 4);

    /** The next row capacity after {@code capacity}: twice as many rows, still 8 short of a power of two. */
    static int grow(int capacity) {
        return 2 * capacity + 8;
    }

    private int size;

    int size() {
        return size;
    }

    /** The row of {@code id}, or -1 when there is none. */
    int indexOf(String id) {
        int h = id.hashCode();
        int n = slots.length;
        for (int s = slot(h, n); ; s = s + 1 == n ? 0 : s + 1) {
            int row = slots[s];
            if (row == EMPTY) {
                return -1;
            }
            if (hashes[row] == h && matches(row, id)) {
                return row;
            }
        }
    }

    /** Adds {@code id} (which must be absent) as row {@link #size()} and returns that row. */
    int add(String id) {
        int row = size;
        if (row == hashes.length) {
            int capacity = grow(row);
            start = Arrays.copyOf(start, capacity + 1);
            hashes = Arrays.copyOf(hashes, capacity);
        }
        int end = start[row];
        int need = end + 3 * id.length();
        if (need > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(need, 2 * bytes.length + 16));
        }
        for (int k = 0; k < id.length(); k++) {
            end = pack(id.charAt(k), bytes, end);
        }
        start[row + 1] = end;
        hashes[row] = id.hashCode();
        size = row + 1;
        if (2 * size > slots.length) {
            rehash(2 * slots.length + 4);
        } else {
            insert(row);
        }
        return row;
    }

    /** The id of row {@code row}, as a new string. */
    String id(int row) {
        int p = start[row];
        int end = start[row + 1];
        char[] chars = new char[end - p];
        int n = 0;
        while (p < end) {
            int b = bytes[p] & 0xff;
            if (b < 0x80) {
                chars[n++] = (char) b;
                p++;
            } else if (b < 0xe0) {
                chars[n++] = (char) (((b & 0x1f) << 6) | (bytes[p + 1] & 0x3f));
                p += 2;
            } else {
                chars[n++] = (char) (((b & 0x0f) << 12) | ((bytes[p + 1] & 0x3f) << 6) | (bytes[p + 2] & 0x3f));
                p += 3;
            }
        }
        return new String(chars, 0, n);
    }

    /** Removes the rows where {@code remove[r]} is true; the others keep their order as rows {@code 0 .. size()-1}. */
    void removeRows(boolean[] remove) {
        int to = 0;
        int at = 0;
        for (int from = 0; from < size; from++) {
            if (from < remove.length && remove[from]) {
                continue;
            }
            int s = start[from];
            int len = start[from + 1] - s;
            System.arraycopy(bytes, s, bytes, at, len);
            start[to] = at;
            hashes[to] = hashes[from];
            at += len;
            start[to + 1] = at;
            to++;
        }
        size = to;
        rehash(slots.length);
    }

    private boolean matches(int row, String id) {
        int p = start[row];
        int end = start[row + 1];
        byte[] b = bytes;
        int n = id.length();
        for (int k = 0; k < n; k++) {
            char c = id.charAt(k);
            if (c >= 1 && c < 0x80) {
                if (p >= end || b[p] != (byte) c) {
                    return false;
                }
                p++;
            } else {
                byte[] one = new byte[3];
                int len = pack(c, one, 0);
                if (end - p < len || !Arrays.equals(b, p, p + len, one, 0, len)) {
                    return false;
                }
                p += len;
            }
        }
        return p == end;
    }

    private static int pack(char c, byte[] out, int p) {
        if (c >= 1 && c < 0x80) {
            out[p] = (byte) c;
            return p + 1;
        }
        if (c < 0x800) {
            out[p] = (byte) (0xc0 | (c >> 6));
            out[p + 1] = (byte) (0x80 | (c & 0x3f));
            return p + 2;
        }
        out[p] = (byte) (0xe0 | (c >> 12));
        out[p + 1] = (byte) (0x80 | ((c >> 6) & 0x3f));
        out[p + 2] = (byte) (0x80 | (c & 0x3f));
        return p + 3;
    }

    private void rehash(int capacity) {
        slots = emptySlots(capacity);
        for (int row = 0; row < size; row++) {
            insert(row);
        }
    }

    private void insert(int row) {
        int n = slots.length;
        int s = slot(hashes[row], n);
        while (slots[s] != EMPTY) {
            s = s + 1 == n ? 0 : s + 1;
        }
        slots[s] = row;
    }

    private static int[] emptySlots(int capacity) {
        int[] s = new int[capacity];
        Arrays.fill(s, EMPTY);
        return s;
    }

    /**
     * The home slot of a hash among {@code n}: the hash's bits spread by a multiplication (ids like "196" and "197"
     * differ in their low bits only), then mapped to {@code [0, n)} by Lemire's multiply-shift, which needs no
     * power of two.
     */
    private static int slot(int h, int n) {
        long mixed = (h * 0x9E3779B97F4A7C15L) >>> 32;
        return (int) ((mixed * n) >>> 32);
    }
}
